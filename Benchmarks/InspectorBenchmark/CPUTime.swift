import Foundation
import RESP

/// CPU seconds spent, to tell where a refresh's time goes: the server's (`INFO cpu`) and this
/// process's (`getrusage`).
enum CPUTime {
    /// The server's user + system CPU seconds so far.
    static func server(_ client: RedisClient) async throws -> Double {
        let info = try await client.send("INFO", "cpu").decode(as: String.self)
        var total = 0.0
        for line in info.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":")
            guard parts.count == 2, parts[0] == "used_cpu_user" || parts[0] == "used_cpu_sys" else { continue }
            total += Double(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return total
    }

    /// This process's user + system CPU seconds so far.
    static func ownProcess() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
