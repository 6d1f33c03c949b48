import Foundation
import Testing

/// The README's "Layout" section is the map a newcomer reads first: every path it lists must
/// exist, and every folder under `Sources/` (two levels deep) must be listed, so the map cannot
/// drift from the tree.
@Suite struct RepositoryLayoutTests {
    /// The package root: the nearest folder above this file that holds `Package.swift`.
    private static func packageRoot() throws -> URL {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { return folder }
            folder.deleteLastPathComponent()
        }
        throw LayoutError(message: "no Package.swift above \(#filePath)")
    }

    private struct LayoutError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The first word of each line of the code block under `## Layout`.
    private static func listedPaths(in readme: String) throws -> [String] {
        guard let section = readme.range(of: "\n## Layout\n") else {
            throw LayoutError(message: "README.md has no '## Layout' section")
        }
        let rest = readme[section.upperBound...]
        guard let open = rest.range(of: "```\n"), let close = rest[open.upperBound...].range(of: "```") else {
            throw LayoutError(message: "the Layout section has no code block")
        }
        return rest[open.upperBound..<close.lowerBound]
            .split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    /// Folders under `Sources/`, one and two levels deep, as `Sources/A/` and `Sources/A/B/`.
    private static func sourceFolders(under root: URL) throws -> [String] {
        let manager = FileManager.default
        var folders: [String] = []
        let sources = root.appendingPathComponent("Sources")
        for module in try manager.contentsOfDirectory(atPath: sources.path).sorted() {
            var isFolder: ObjCBool = false
            let moduleURL = sources.appendingPathComponent(module)
            guard manager.fileExists(atPath: moduleURL.path, isDirectory: &isFolder), isFolder.boolValue else { continue }
            folders.append("Sources/\(module)/")
            for child in try manager.contentsOfDirectory(atPath: moduleURL.path).sorted() {
                var childIsFolder: ObjCBool = false
                if manager.fileExists(atPath: moduleURL.appendingPathComponent(child).path, isDirectory: &childIsFolder), childIsFolder.boolValue {
                    folders.append("Sources/\(module)/\(child)/")
                }
            }
        }
        return folders
    }

    @Test func everyListedPathExists() throws {
        let root = try Self.packageRoot()
        let listed = try Self.listedPaths(in: String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8))
        #expect(listed.count > 10)
        for path in listed {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "README Layout lists \(path), which does not exist")
        }
    }

    @Test func everySourceFolderIsListed() throws {
        let root = try Self.packageRoot()
        let listed = Set(try Self.listedPaths(in: String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)))
        for folder in try Self.sourceFolders(under: root) {
            // A module folder counts as listed when one of its subfolders is.
            let covered = listed.contains(folder) || listed.contains { $0.hasPrefix(folder) }
            #expect(covered, "\(folder) is missing from the README's Layout section")
        }
    }

    /// Small files with one purpose: no Swift file under `Sources/` grows past 400 lines
    /// unnoticed (split it by concern, as `LiveInspector+Stream.swift` was split off).
    @Test func everySourceFileStaysUnderFourHundredLines() throws {
        let root = try Self.packageRoot()
        let sources = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.count > 100)
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
            #expect(lines <= 400, "Sources/\(file) has \(lines) lines; split it by concern")
        }
    }
}
