import Foundation
import Glibc
import RedisTestSupport
import Testing
import LockTestSupport

/// `scripts/install.sh` into a temporary prefix, and the installed binary in use.
@Suite("Operator: install.sh", .serialized)
struct OperatorInstallTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/install.sh").path

    static func install(_ arguments: [String], path: String, in scratch: ScratchDirectory) async throws -> (status: Int32?, stdout: String, stderr: String) {
        let process = try SpawnedProcess("/bin/bash", [script] + arguments, environment: ["PATH": path], directory: scratch.path)
        let status = await process.waitForExit(timeout: .seconds(60))
        return (status, process.standardOutput, process.standardError)
    }

    @Test func installsIntoAPrefixIdempotentlyAndTheInstalledBinaryRuns() async throws {
        let binary = try LockwatchBinary.path()
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let prefix = scratch.file("prefix")
        let bin = prefix + "/bin"
        let installed = bin + "/lockwatch"

        let first = try await Self.install(["--prefix", prefix, "--binary", binary], path: OperatorDemoTests.plainPath, in: scratch)
        #expect(first.status == 0, "install.sh failed: \(first.stderr)")
        #expect(first.stdout.contains("installed \(installed)"), "\(first.stdout)")
        #expect(first.stdout.contains("\(bin) is not on your PATH"), "no PATH advice:\n\(first.stdout)")
        #expect(first.stdout.contains("export PATH=\"\(bin):$PATH\""), "no PATH line to copy:\n\(first.stdout)")
        #expect(FileManager.default.isExecutableFile(atPath: installed))
        #expect(FileManager.default.contentsEqual(atPath: installed, andPath: binary), "the installed file is not the binary given")

        let again = try await Self.install(["--prefix", prefix, "--binary", binary], path: OperatorDemoTests.plainPath, in: scratch)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\(installed) is up to date"), "not idempotent:\n\(again.stdout)")

        let onPath = try await Self.install(["--prefix", prefix, "--binary", binary], path: bin + ":" + OperatorDemoTests.plainPath, in: scratch)
        #expect(onPath.stdout.contains("run: lockwatch --help"), "with the prefix on PATH it should say so:\n\(onPath.stdout)")

        let help = try SpawnedProcess(installed, ["--help"], directory: scratch.path)
        let helpStatus = await help.waitForExit(timeout: .seconds(20))
        #expect(helpStatus == 0, "\(help.standardError)")
        #expect(help.standardOutput.contains("SUBCOMMANDS") && help.standardOutput.contains("DASHBOARD OPTIONS"), "\(help.standardOutput)")

        // Installed and on PATH: the demo prints plain `lockwatch`, and that runs.
        let path = bin + ":" + OperatorDemoTests.plainPath
        let demo = try OperatorDemoTests.startDemo(installed, path: path, in: scratch)
        defer { demo.killIfRunning() }
        let output = try await OperatorDemoTests.waitForOutput(demo, "printed commands") { $0.contains("list it:") && $0.contains("stop with") }
        let list = try #require(OperatorDemoTests.printedCommand("list it:", in: output))
        #expect(list.hasSuffix(" lockwatch list --match '*'"), "list it: \(list)")
        let listRun = try SpawnedProcess("/bin/bash", ["-c", list], environment: ["PATH": path], directory: scratch.path)
        let listStatus = await listRun.waitForExit(timeout: .seconds(20))
        #expect(listStatus == 0, "'\(list)' failed: \(listRun.standardError)")
        #expect(listRun.standardOutput.contains("lock:legacy-migration"), "\(listRun.standardOutput)")
        await OperatorDemoTests.stop(demo)
    }

    @Test func refusesAnUnknownOption() async throws {
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let result = try await Self.install(["--prefx", scratch.path], path: OperatorDemoTests.plainPath, in: scratch)
        #expect(result.status == 64)
        #expect(result.stderr.contains("unknown option '--prefx'"), "\(result.stderr)")
    }
}
