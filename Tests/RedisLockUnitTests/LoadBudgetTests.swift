import Foundation
import RESP
import RedisLock
import Testing

/// `--max-load` and the sweeps' pace, without a server: validation, the pace arithmetic, and
/// reading the server's counters from `INFO`.
@Suite("Load budget")
struct LoadBudgetTests {
    @Test(arguments: [0.0, -1, 100.5, .nan, .infinity])
    func aBudgetOutsideZeroToAHundredPercentIsRefusedWithWhatToDo(percent: Double) {
        #expect {
            _ = try LoadBudget(percent: percent)
        } throws: { error in
            guard let error = error as? LoadBudgetError else { return false }
            return error.code == "invalid-max-load" && error.message.contains("above 0 and at most 100") && error.message.contains("--max-load 5")
        }
    }

    @Test func theDefaultIsFivePercent() throws {
        #expect(LoadBudget.standard.percent == 5)
        #expect(try LoadBudget(percent: 100).fraction == 1)
        #expect(try LoadBudget(percent: 0.5).fraction == 0.005)
    }

    @Test func aSweepMayStartAgainWhenItsCostIsTheBudgetsShareOfThePeriod() throws {
        let budget = try LoadBudget(percent: 10)
        func seconds(_ period: Duration) -> Double { Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18 }
        // 90 ms of server time at 10%, of which 9% is aimed at: every second.
        #expect(abs(seconds(budget.sweepPeriod(cost: .milliseconds(90), otherLoad: 0, floor: .milliseconds(100))) - 1) < 1e-6)
        // The rows on screen take 3% of it: the sweeps keep 6%, every 1.5 s.
        #expect(abs(seconds(budget.sweepPeriod(cost: .milliseconds(90), otherLoad: 0.03, floor: .milliseconds(100))) - 1.5) < 1e-6)
        // When the other reads take the whole budget, sweeps keep a quarter of it (2.5%).
        #expect(abs(seconds(budget.sweepPeriod(cost: .milliseconds(90), otherLoad: 0.2, floor: .milliseconds(100))) - 3.6) < 1e-6)
        // Never sooner than the floor (live mode's sweep interval).
        #expect(budget.sweepPeriod(cost: .milliseconds(1), otherLoad: 0, floor: .seconds(60)) == .seconds(60))
    }

    @Test func theServersCountersAreReadFromInfo() throws {
        let commandstats = """
            # Commandstats\r
            cmdstat_scan:calls=10,usec=5000,usec_per_call=500.00,rejected_calls=0,failed_calls=0\r
            cmdstat_mget:calls=10,usec=1000,usec_per_call=100.00,rejected_calls=0,failed_calls=0\r
            cmdstat_pubsub|numsub:calls=4,usec=40,usec_per_call=10.00,rejected_calls=0,failed_calls=0\r
            cmdstat_set:calls=99,usec=99000,usec_per_call=1000.00,rejected_calls=0,failed_calls=0\r
            cmdstat_evalsha:calls=1,usec=7000,usec_per_call=7000.00,rejected_calls=0,failed_calls=0\r
            """
        let cpu = "# CPU\r\nused_cpu_sys:1.250000\r\nused_cpu_user:2.500000\r\nused_cpu_sys_children:9.000000\r\nused_cpu_sys_main_thread:1.2\r\n"
        let sample = try #require(ServerCostSample.parse(commandstats: commandstats, cpu: cpu, at: .now))
        #expect(sample.cpuSeconds == 3.75, "user + sys of the server itself, not its children")
        #expect(abs(sample.inspectorCommandSeconds - 0.00604) < 1e-9, "scan + mget + pubsub, not other clients' set and evalsha")
        #expect(ServerCostSample.parse(commandstats: commandstats, cpu: "ERR unknown section", at: .now) == nil)
    }

    @Test func aSweepCostsAtLeastItsCommandsAndAtMostTheCPUBeyondTheBackground() {
        let start = ContinuousClock.now
        let before = ServerCostSample(instant: start, cpuSeconds: 10, inspectorCommandSeconds: 1)
        let after = ServerCostSample(instant: start + .seconds(2), cpuSeconds: 10.5, inspectorCommandSeconds: 1.3)
        // 0.5 s of CPU in 2 s, of which 0.05 s/s is the others': 0.4 s is the sweep's.
        #expect(abs(ServerCostSample.sweepCost(from: before, to: after, background: 0.05) - 0.4) < 1e-9)
        // Busy others: the CPU left is less than the commands' own execution time, which counts.
        #expect(abs(ServerCostSample.sweepCost(from: before, to: after, background: 0.2) - 0.3) < 1e-9)
    }
}
