import Foundation
import SluiceCore

/// The pipelines a server offers: every `*.yaml` / `*.yml` file of one folder, by name.
///
/// A file that does not parse stops the server at start with that file's own error (a server
/// that silently left a pipeline out would take drops for it and never load them); two files
/// with the same `name:` are refused, naming both.
public struct PipelineCatalog: Sendable {
    public let folder: String
    /// By pipeline name.
    public let pipelines: [String: PipelineSpec]
    /// Which pipeline takes a dropped object, from the files' `watch:` rules.
    public let router: WatchRouter

    public init(folder: String) throws {
        self.folder = folder
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw SluiceError(.invalidArgument, "cannot read the pipelines folder \(folder)", underlying: error)
        }
        var pipelines: [String: PipelineSpec] = [:]
        var files: [String: String] = [:]
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let path = (folder as NSString).appendingPathComponent(name)
            let spec = try PipelineSpec.load(path: path)
            if let other = files[spec.name] {
                throw SluiceError(.invalidPipeline, "\(other) and \(path) both define pipeline \(spec.name)")
            }
            files[spec.name] = path
            pipelines[spec.name] = spec
        }
        self.pipelines = pipelines
        self.router = try WatchRouter(pipelines: pipelines.values.sorted { $0.name < $1.name })
    }

    /// The pipeline called `name`.
    ///
    /// - Throws: `SluiceError` (`invalid_argument`) naming the pipelines there are.
    public func pipeline(named name: String) throws -> PipelineSpec {
        guard let spec = pipelines[name] else {
            let known = pipelines.keys.sorted().joined(separator: ", ")
            throw SluiceError(.invalidArgument, "no pipeline '\(name)' in \(folder) (there are: \(known.isEmpty ? "none" : known))")
        }
        return spec
    }
}
