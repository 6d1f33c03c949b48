import Foundation
import Testing

/// README.md's Swift examples are the code in `ReadmeExamples.swift`, which the build compiles.
@Suite("README examples")
struct ReadmeExamplesTests {
    /// The lines of every ```swift block in README.md, without imports, trimmed.
    static func readmeBlocks() throws -> [[String]] {
        let readme = try String(contentsOf: repositoryRoot().appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [[String]] = []
        var current: [String]?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```swift" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!)
                current = nil
            } else if current != nil, !line.hasPrefix("import ") {
                current!.append(line.trimmingCharacters(in: .whitespaces))
            }
        }
        return blocks.map { $0.filter { !$0.isEmpty } }
    }

    /// The lines between each `// README: NAME` and `// README: end` in ReadmeExamples.swift.
    static func compiledExamples() throws -> [[String]] {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("ReadmeExamples.swift"), encoding: .utf8)
        var examples: [[String]] = []
        var current: [String]?
        for line in source.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if line == "// README: end" {
                if let finished = current { examples.append(finished) }
                current = nil
            } else if line.hasPrefix("// README: ") {
                current = []
            } else if current != nil, !line.isEmpty {
                current!.append(line)
            }
        }
        return examples
    }

    static func repositoryRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func everySwiftBlockInTheReadmeIsCompiled() throws {
        let blocks = try Self.readmeBlocks()
        let examples = try Self.compiledExamples()
        #expect(blocks.count >= 3, "expected the client, lock and fencing examples in README.md")
        for (index, block) in blocks.enumerated() {
            let compiled = examples.contains(block)
            #expect(compiled, "README.md's Swift block #\(index + 1) differs from every example in ReadmeExamples.swift:\n\(block.joined(separator: "\n"))")
        }
    }
}
