import Foundation

/// The app's bundles in Documents/bundles: the ones built into the app are installed there, and replaced when the
/// app ships a different one (a rebuilt app with a re-exported bundle), by comparing the manifests' bytes; bundles
/// the user copied in with Finder or the Files app (names the app does not ship) are never touched.
public struct BundleStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    public enum Install: Equatable, Sendable {
        case installed(String)
        case updated(String)
        case unchanged(String)
    }

    /// Installs or updates every bundle folder of `builtIn` (the app's resources). A replacement is copied beside
    /// the old one first and swapped in only when the copy is complete, so a failed copy keeps the old bundle.
    @discardableResult
    public func install(from builtIn: URL) throws -> [Install] {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        var out: [Install] = []
        for name in try fm.contentsOfDirectory(atPath: builtIn.path).sorted() {
            let source = builtIn.appendingPathComponent(name)
            guard fm.fileExists(atPath: source.appendingPathComponent("manifest.json").path) else { continue }
            let target = directory.appendingPathComponent(name)
            let exists = fm.fileExists(atPath: target.path)
            if exists, let old = try? Data(contentsOf: target.appendingPathComponent("manifest.json")),
               old == (try Data(contentsOf: source.appendingPathComponent("manifest.json"))) {
                out.append(.unchanged(name))
                continue
            }
            let staging = directory.appendingPathComponent(".\(name).installing")
            try? fm.removeItem(at: staging)
            try fm.copyItem(at: source, to: staging)
            if exists {
                let old = directory.appendingPathComponent(".\(name).old")
                try? fm.removeItem(at: old)
                try fm.moveItem(at: target, to: old)
                do {
                    try fm.moveItem(at: staging, to: target)
                } catch {
                    try? fm.moveItem(at: old, to: target)
                    throw error
                }
                try? fm.removeItem(at: old)
            } else {
                try fm.moveItem(at: staging, to: target)
            }
            out.append(exists ? .updated(name) : .installed(name))
        }
        return out
    }

    /// Every bundle folder (one with a manifest.json), sorted.
    public func list() -> [String] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter {
            !$0.hasPrefix(".") && fm.fileExists(atPath: directory.appendingPathComponent($0)
                .appendingPathComponent("manifest.json").path)
        }.sorted()
    }

    /// The artifacts the iOS app can run (platform ios, runtime coreml or executorch), filtered by the demo's
    /// runtime and precision pickers ("all" passes everything).
    public static func iosArtifacts(_ manifest: Manifest, runtime: String = "all", precision: String = "all")
        -> [Manifest.Artifact] {
        manifest.artifacts.filter {
            $0.platforms.contains("ios") && ["coreml", "executorch"].contains($0.runtime)
                && (runtime == "all" || $0.runtime == runtime) && (precision == "all" || $0.precision == precision)
        }
    }
}
