import Foundation
import Testing
import LockTestSupport

/// The config file's parser and its errors, through the real binary (`contexts`, `config
/// init`, `--context`); no server is needed for any of them.
@Suite("Contexts: the config file")
struct ContextConfigTests {
    static let valid = """
        [contexts.prod]
        url = "rediss://redis.prod.example:6380/0"
        password_env = "PROD_REDIS_PASSWORD"
        prefixes = ["lock:"]
        readonly = true
        interval = "2s"
        label = "PRODUCTION"
        colour = "red"

        [contexts.staging]
        url = "redis://alice@staging.example:6379"
        password_file = "/etc/lockwatch/staging.password"
        """

    @Test func aValidFileIsListed() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try contextConfigFile(Self.valid, in: scratch)
        let result = try await runLockwatch(["contexts", "--config", path], in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let prod = try #require(lines.first { $0.hasPrefix("prod ") }, "\(result.stdout)")
        #expect(prod.contains("rediss://redis.prod.example:6380/0") && prod.contains("PRODUCTION") && prod.hasSuffix("yes"), "\(prod)")
        let staging = try #require(lines.first { $0.hasPrefix("staging ") }, "\(result.stdout)")
        #expect(staging.contains("redis://alice@staging.example:6379") && staging.hasSuffix("no"), "\(staging)")
    }

    @Test(arguments: [
        ("[contexts.prod]\nurl = \"redis://h:6379\"\nreadonyl = true\n", "unknown key 'readonyl'"),
        ("[contexts.prod]\npassword = \"hunter2\"\n", "an inline password is refused"),
        ("[contexts.prod]\nurl = \"redis://:hunter2@h:6379\"\n", "the url must not contain a password"),
        ("[contexts.prod]\nreadonly = \"yes\"\n", "readonly must be true or false"),
        ("[contexts.prod]\ncolour = \"mauve\"\n", "colour 'mauve' is not one of"),
        ("[contexts.prod]\ninterval = \"fast\"\n", "interval must be a duration"),
        ("[contexts.prod]\npassword_env = \"A\"\npassword_file = \"/b\"\n", "not both"),
        ("current = \"prod\"\n", "unknown top-level key 'current'"),
        ("[contexts.prod\nurl = 1\n", "line 1"),
    ])
    func aWrongFileIsRefusedWithOneLine(text: String, expected: String) async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try contextConfigFile(text, in: scratch)
        let result = try await runLockwatch(["contexts", "--config", path], in: scratch.path)
        #expect(result.status == 78)
        #expect(result.stderr.contains(expected), "expected '\(expected)' in: \(result.stderr)")
        #expect(result.stderr.contains(path), "the error does not name the file: \(result.stderr)")
        #expect(!result.stderr.contains("hunter2"), "the error repeats the password: \(result.stderr)")
    }

    @Test func aMissingContextIsNamedWithTheKnownOnes() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = try contextConfigFile(Self.valid, in: scratch)
        // Before the command's name, as a global option, and after it.
        for arguments in [["--context", "prdo", "--config", path, "list"], ["list", "--context", "prdo", "--config", path]] {
            let result = try await runLockwatch(arguments, in: scratch.path)
            #expect(result.status == 78, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("no context 'prdo' in \(path) (known: prod, staging)"), "\(result.stderr)")
        }
    }

    @Test func aMissingFileSaysHowToWriteOne() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("none.toml")
        let result = try await runLockwatch(["list", "--context", "prod", "--config", path], in: scratch.path)
        #expect(result.status == 78)
        #expect(result.stderr.contains("\(path): no such file") && result.stderr.contains("config init --config \(path)"), "\(result.stderr)")
    }

    @Test func configInitWritesAFileThatParsesAndIsNotOverwritten() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let path = scratch.file("nested/dir/config.toml")
        let written = try await runLockwatch(["config", "init", "--config", path], in: scratch.path)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.contains("wrote \(path)"), "\(written.stdout)")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("# "), "the example has no comments")

        let listed = try await runLockwatch(["contexts", "--config", path], in: scratch.path)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("local ") && listed.stdout.contains("prod "), "\(listed.stdout)")

        try "[contexts.mine]\n".write(toFile: path, atomically: true, encoding: .utf8)
        let refused = try await runLockwatch(["config", "init", "--config", path], in: scratch.path)
        #expect(refused.status == 78)
        #expect(refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "[contexts.mine]\n", "config init overwrote an existing file")

        let forced = try await runLockwatch(["config", "init", "--force", "--config", path], in: scratch.path)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func theDefaultFileIsUnderXDGConfigHome() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let written = try await runLockwatch(["config", "init"], environment: ["XDG_CONFIG_HOME": scratch.path], in: scratch.path)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.file("lockwatch/config.toml")))
        let listed = try await runLockwatch(["contexts"], environment: ["XDG_CONFIG_HOME": scratch.path], in: scratch.path)
        #expect(listed.stdout.contains("contexts in \(scratch.file("lockwatch/config.toml"))"), "\(listed.stdout)")
    }
}
