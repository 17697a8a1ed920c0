import Foundation

/// The one check every path a manifest names goes through before the app opens it (issue 17): relative, not
/// empty, no `..` part, no absolute path, no backslash, and — resolving symbolic links on disk — still inside the
/// bundle folder. A bundle copied onto the phone from elsewhere is not trusted: `"labels": "/etc/passwd"`,
/// `"../other/secret"` or a symlink that points out of the bundle are refused with the manifest field named.
public enum BundlePath {
    public enum PathError: Error, CustomStringConvertible, Equatable, Sendable {
        case notRelative(field: String, path: String, reason: String)
        case outsideBundle(field: String, path: String, resolved: String)

        public var description: String {
            switch self {
            case .notRelative(let field, let path, let reason):
                return "manifest \(field) '\(path)' is refused: \(reason); a bundle names its files relative to its folder"
            case .outsideBundle(let field, let path, let resolved):
                return "manifest \(field) '\(path)' leads outside the bundle (to \(resolved)), through a symbolic link: "
                    + "refused"
            }
        }
    }

    /// The lexical rules alone (no file system): throws for an empty, absolute, backslashed or `..` path.
    public static func checkText(_ path: String, field: String) throws {
        if path.isEmpty {
            throw PathError.notRelative(field: field, path: path, reason: "it is empty")
        }
        if path.hasPrefix("/") || path.hasPrefix("~") {
            throw PathError.notRelative(field: field, path: path, reason: "it is absolute")
        }
        if path.contains("\\") {
            throw PathError.notRelative(field: field, path: path, reason: "it contains a backslash")
        }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw PathError.notRelative(field: field, path: path, reason: "it contains a control character")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") {
            throw PathError.notRelative(field: field, path: path, reason: "it contains '..'")
        }
        if parts.allSatisfy({ $0 == "." || $0.isEmpty }) {
            throw PathError.notRelative(field: field, path: path, reason: "it names the bundle folder itself")
        }
    }

    /// The file's URL inside `bundle` once both the lexical rules and the resolved location (symlinks followed,
    /// for the parts that exist) are inside the bundle.
    public static func resolve(_ path: String, field: String, in bundle: URL) throws -> URL {
        try checkText(path, field: field)
        let root = bundle.standardizedFileURL.resolvingSymlinksInPath().path
        let url = bundle.appendingPathComponent(path)
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        guard resolved == root || resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw PathError.outsideBundle(field: field, path: path, resolved: resolved)
        }
        return url
    }
}

extension Manifest {
    /// Every path the manifest names, with the field it came from: labels, artifacts[].file and extra_files,
    /// sample input/output files, the tokenizer vocabulary, the LLM tokenizer and prompts files.
    public var namedPaths: [(field: String, path: String)] {
        var out: [(String, String)] = []
        if let labels { out.append(("labels", labels)) }
        for (i, a) in artifacts.enumerated() {
            out.append(("artifacts[\(i)].file", a.file))
            for (j, f) in (a.extraFiles ?? []).enumerated() {
                out.append(("artifacts[\(i)].extra_files[\(j)]", f))
            }
        }
        if let sample {
            out.append(("sample.input", sample.input))
            if let e = sample.expectedOutput { out.append(("sample.expected_output", e)) }
            for (i, s) in (sample.inputs ?? []).enumerated() { out.append(("sample.inputs[\(i)].file", s.file)) }
            for (i, s) in (sample.outputs ?? []).enumerated() { out.append(("sample.outputs[\(i)].file", s.file)) }
        }
        if let tokenizer {
            out.append(("tokenizer.vocab", tokenizer.vocab))
            if let f = tokenizer.file { out.append(("tokenizer.file", f)) }
        }
        if let llm {
            out.append(("llm.tokenizer.file", llm.tokenizer.file))
            out.append(("llm.prompts", llm.prompts))
        }
        return out
    }

    /// Checks every named path against `bundle` (BundlePath.resolve); the first bad one throws.
    public func checkPaths(bundle: URL) throws {
        for (field, path) in namedPaths {
            _ = try BundlePath.resolve(path, field: field, in: bundle)
        }
    }

    /// A file the manifest names, checked (the only way the app turns a manifest path into a URL).
    public func file(_ path: String, field: String, bundle: URL) throws -> URL {
        try BundlePath.resolve(path, field: field, in: bundle)
    }
}
