import BenchmarkSupport
import RESP
import RedisLock
import Synchronization

/// Changes locks at a steady rate on keys of its own (`lock:churn:N`), and remembers when it
/// sent each change, so an inspector's events can be dated against it (change → updated row).
///
/// Each key goes round: acquire (`SET … PX 30000`), extend (`PEXPIRE … 60000`), then every
/// other round release (`DEL`), else shorten to 150 ms and let it expire. The keys are visited
/// in turn, so a key's next change comes `slots ÷ rate` seconds after its previous one (2 s at
/// 4,000 keys and 2,000 changes/s): a short TTL has run out by then.
final class ChurnGenerator: Sendable {
    let client: RedisClient
    let rate: Int
    let slots: Int
    private let sent = Mutex<[String: [(kind: LockEvent.Kind, at: ContinuousClock.Instant)]]>([:])
    private let measured = Mutex(Observed())
    private let changes = Atomic<Int>(0)

    /// The change → row latencies seen since the last ``take()``.
    struct Observed {
        var latencies = LatencyRecorder()
        var matched = 0
        var expiries = 0
    }

    init(client: RedisClient, rate: Int, slots: Int = 4_000) {
        self.client = client
        self.rate = rate
        self.slots = slots
    }

    /// How many changes it has sent.
    var changeCount: Int { changes.load(ordering: .relaxed) }

    /// Sends the changes, a batch every 10 ms, until cancelled.
    func run() async {
        let tick = Duration.milliseconds(10)
        let perTick = max(rate / 100, 1)
        var step = 0
        var next = ContinuousClock.now
        while !Task.isCancelled {
            var batch: [RESPCommand] = []
            var notes: [(String, LockEvent.Kind)] = []
            for _ in 0 ..< perTick {
                let slot = step % slots
                let round = step / slots
                let key = "lock:churn:\(slot)"
                switch round % 3 {
                case 0:
                    batch.append(RESPCommand("SET", key, "churn-\(step)", "PX", 30_000))
                    notes.append((key, .acquired))
                case 1:
                    batch.append(RESPCommand("PEXPIRE", key, 60_000))
                    notes.append((key, .extended))
                default:
                    if (round / 3) % 2 == 0 {
                        batch.append(RESPCommand("DEL", key))
                        notes.append((key, .released))
                    } else {
                        batch.append(RESPCommand("PEXPIRE", key, 150))
                        notes.append((key, .extended))
                    }
                }
                step += 1
            }
            let instant = ContinuousClock.now
            sent.withLock { sent in
                for (key, kind) in notes {
                    var list = sent[key] ?? []
                    list.append((kind, instant))
                    if list.count > 8 { list.removeFirst(list.count - 8) }
                    sent[key] = list
                }
            }
            _ = try? await client.send(batch: batch)
            changes.add(batch.count, ordering: .relaxed)
            next += tick
            let pause = next - ContinuousClock.now
            if pause > .zero { try? await Task.sleep(for: pause) } else { next = ContinuousClock.now }
        }
    }

    /// An inspector showed `event` at `instant`: the latency from the latest change of its
    /// kind on that key (older unmatched changes of the key are dropped: the row skipped them).
    func observe(_ event: LockEvent, at instant: ContinuousClock.Instant = .now) {
        guard event.key.hasPrefix("lock:churn:") else { return }
        if event.kind == .expired {
            measured.withLock { $0.expiries += 1 }
            return
        }
        let change = sent.withLock { sent -> ContinuousClock.Instant? in
            guard var list = sent[event.key], let index = list.lastIndex(where: { $0.kind == event.kind }) else { return nil }
            let at = list[index].at
            list.removeFirst(index + 1)
            sent[event.key] = list
            return at
        }
        guard let change else { return }
        measured.withLock {
            $0.latencies.record(instant - change)
            $0.matched += 1
        }
    }

    /// The latencies since the previous call, and forgets them (and the changes not yet seen).
    func take() -> Observed {
        sent.withLock { $0 = [:] }
        return measured.withLock { observed in
            defer { observed = Observed() }
            return observed
        }
    }
}
