import Dispatch
import Foundation
import SluiceCore
import Synchronization

/// SIGTERM and SIGINT for `sluice run`: the first asks the run to stop after the batches in
/// flight (it ends `interrupted`, resumable); a second one exits at once, which is still safe
/// because every batch commits whole or not at all. (`@unchecked`: the dispatch sources are
/// set up in `init` and only cancelled after.)
final class StopSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let count = Mutex(0)

    init(control: RunControl) {
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            sources.append(DispatchSource.makeSignalSource(signal: signalNumber, queue: .global()))
        }
        self.sources = sources
        for source in sources {
            source.setEventHandler { [self] in
                let seen = count.withLock { value in
                    value += 1
                    return value
                }
                if seen == 1 {
                    control.requestStop(.interrupt)
                    Terminal.printError("stopping: committing the batches in flight, then the run ends 'interrupted' (signal again to stop at once)")
                } else {
                    Terminal.printError("stopping at once; the run resumes from its last committed batch")
                    exit(ExitCodes.interrupted)
                }
            }
            source.resume()
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
