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

    /// The schema's two kinds of manifest path (schemas/manifest.schema.json `$defs`): `bundle_path`, '/'-separated
    /// names relative to the bundle; `bundle_file`, one name directly in it (artifacts, the LLM tokenizer and
    /// prompts files).
    public enum Kind: Sendable {
        case path
        case file
    }

    /// The lexical rules alone (no file system), as the schema's pattern: not empty, not absolute, names that are
    /// neither empty nor `.` nor `..`, no backslash, no control character, at most 1024 (a file name: 255)
    /// characters; a `bundle_file` has no '/'.
    public static func checkText(_ path: String, field: String, kind: Kind = .path) throws {
        func refuse(_ reason: String) -> PathError { .notRelative(field: field, path: path, reason: reason) }
        if path.isEmpty { throw refuse("it is empty") }
        if path.hasPrefix("/") || path.hasPrefix("~") || path.range(of: "^[A-Za-z]:", options: .regularExpression) != nil {
            throw refuse("it is absolute")
        }
        if path.contains("\\") { throw refuse("it contains a backslash") }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw refuse("it contains a control character")
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { throw refuse("it contains '..'") }
        if parts.contains(".") { throw refuse("it has a '.' component") }
        if parts.contains("") { throw refuse("it has an empty component") }
        if kind == .file && parts.count > 1 { throw refuse("it is a path, not one file name directly in the bundle") }
        if path.count > (kind == .file ? 255 : 1024) { throw refuse("it is too long") }
    }

    /// The file's URL inside `bundle` once both the lexical rules and the resolved location (symlinks followed,
    /// for the parts that exist) are inside the bundle; for a folder (an .mlpackage), every entry in it too.
    public static func resolve(_ path: String, field: String, in bundle: URL, kind: Kind = .path) throws -> URL {
        try checkText(path, field: field, kind: kind)
        let root = bundle.standardizedFileURL.resolvingSymlinksInPath().path
        let prefix = root.hasSuffix("/") ? root : root + "/"
        func inside(_ url: URL) throws {
            let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard resolved == root || resolved.hasPrefix(prefix) else {
                throw PathError.outsideBundle(field: field, path: path, resolved: resolved)
            }
        }
        let url = bundle.appendingPathComponent(path)
        try inside(url)
        var isDirectory: ObjCBool = false
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
        if !link, FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
           let entries = FileManager.default.enumerator(atPath: url.path) {
            for case let entry as String in entries {
                try inside(url.appendingPathComponent(entry))
            }
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

    /// The schema's kind of a field: artifacts, the LLM tokenizer and the prompts file are one name in the bundle.
    static func kind(of field: String) -> BundlePath.Kind {
        field.hasSuffix("].file") && field.hasPrefix("artifacts[") || field == "llm.tokenizer.file" || field == "llm.prompts"
            ? .file : .path
    }

    /// Checks every named path against `bundle` (BundlePath.resolve); the first bad one throws.
    public func checkPaths(bundle: URL) throws {
        for (field, path) in namedPaths {
            _ = try BundlePath.resolve(path, field: field, in: bundle, kind: Manifest.kind(of: field))
        }
    }

    /// A file the manifest names, checked (the only way the app turns a manifest path into a URL).
    public func file(_ path: String, field: String, bundle: URL) throws -> URL {
        try BundlePath.resolve(path, field: field, in: bundle, kind: Manifest.kind(of: field))
    }
}
