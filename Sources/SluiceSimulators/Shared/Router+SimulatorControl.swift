import Foundation
import Hummingbird

extension Router where Context == BasicRequestContext {
    /// Adds the routes every simulator is steered by: `GET /_sim/stats`, `GET`/`POST /_sim/config`
    /// (POST takes a partial fault configuration, plus `seed`) and `POST /_sim/reset`.
    func addSimulatorControl<Simulator: SimulatorControl>(_ simulator: Simulator) {
        get("/_sim/stats") { _, _ in Response.json(simulator.stats()) }
        get("/_sim/config") { _, _ in Response.json(simulator.faults) }
        post("/_sim/config") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            do {
                let patch = try JSONDecoder().decode(Simulator.Faults.Patch.self, from: Data(body.readableBytesView))
                return Response.json(simulator.update(patch))
            } catch {
                return Response.json(["error": "invalid config: \(error)"], status: .badRequest)
            }
        }
        post("/_sim/reset") { _, _ -> Response in
            simulator.reset()
            return Response(status: .noContent)
        }
    }
}
