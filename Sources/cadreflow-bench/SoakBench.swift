import ArgumentParser
import Foundation
import Synchronization

/// `cadreflow-bench soak`: the real service under a mixed end-of-month load for N minutes:
/// console reads (CADRE SHOW, now and then a 1,000-row CADRE LIST), self-assessments, reviews
/// and approvals through their stages, REPORT PROGRESS every few seconds and an ORG IMPORT
/// every minute. Each minute it prints what completed, the p99 of each kind and the
/// service's resident memory; at the end, the first and last full minutes side by side.
struct SoakBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak",
        abstract: "A mixed end-of-month load on the real service for N minutes: throughput, p99 and RSS per minute."
    )

    @Option(help: "Minutes of load.") var minutes = 10.0
    @Option(help: "Cadres in the city (each is self-assessed once at most).") var cadres = 40_000
    @Option(help: "Units they are spread over.") var units = 40
    @Option(help: "Reader connections (CADRE SHOW, CADRE LIST).") var readers = 4
    @Option(help: "Pause between one reader's requests, in milliseconds.") var readPauseMs = 2
    @Option(help: "Self-assessing connections.") var submitters = 2
    @Option(help: "Pause between one submitter's requests, in milliseconds.") var submitPauseMs = 40

    static let kinds = ["show", "list", "self", "review", "approve", "report", "import"]

    func run() throws {
        let service = try SoakService.start()
        defer { service.stop() }
        let month = Self.currentMonth()
        let codes = (1...cadres).map { String(format: "S%06d", $0) }
        print("soak: service on port \(service.port), seeding \(cadres) cadres in \(units) units …")
        let admin = try LineConnection.login(port: service.port, "admin", SoakService.adminPassword)
        var rows = ["type,code,name,parent,unit", "unit,HN,Thành phố Hà Nội,,"]
        rows += (1...units).map { "unit,HN.U\(String(format: "%03d", $0)),Phường \($0),HN," }
        rows += codes.enumerated().map { index, code in "cadre,\(code),Nguyễn Văn \(code),,HN.U\(String(format: "%03d", index % units + 1))" }
        try Self.expectOK(admin.upload("ORG IMPORT format=csv", rows))
        try Self.expectOK(admin.roundTrip(["USER ADD org role=organizer unit=HN password=org-password-1"])[0])
        try Self.expectOK(admin.roundTrip(["USER ADD rev role=manager unit=HN password=rev-password-1"])[0])
        try Self.expectOK(admin.roundTrip(["USER ADD head role=manager unit=HN head=yes password=head-password-1"])[0])
        let organizer = try LineConnection.login(port: service.port, "org", "org-password-1")
        try Self.expectOK(organizer.roundTrip(["CYCLE OPEN \(month) unit=HN"])[0])

        let load = SoakLoad()
        let unitCount = units
        let port = service.port
        let readPause = UInt32(readPauseMs * 1_000)
        let submitPause = UInt32(submitPauseMs * 1_000)
        let codeCount = codes.count
        var threads: [Thread] = []
        func spawn(_ body: @escaping @Sendable () throws -> Void) {
            let thread = Thread {
                do { try body() } catch { load.fail("\(error)") }
            }
            thread.stackSize = 1 << 20
            threads.append(thread)
            thread.start()
        }
        for reader in 0..<readers {
            spawn {
                let connection = try LineConnection.login(port: port, "rev", "rev-password-1")
                var count = reader
                while !load.stopped {
                    count += 1
                    if count % 100 == 0 {
                        try load.time("list") { try connection.roundTrip(["CADRE LIST unit=HN.U\(String(format: "%03d", count % unitCount + 1))"])[0] }
                    } else {
                        try load.time("show") { try connection.roundTrip(["CADRE SHOW \(codes[Int.random(in: 0..<codeCount)])"])[0] }
                    }
                    usleep(readPause)
                }
            }
        }
        for _ in 0..<submitters {
            spawn {
                let connection = try LineConnection.login(port: port, "rev", "rev-password-1")
                while !load.stopped, let index = load.nextCode(limit: codeCount) {
                    let code = codes[index]
                    if try load.time("self", { try connection.roundTrip(["ASSESS SELF \(code) \(month) discipline=18 duties=60 bonus=2"])[0] }) {
                        load.reviews.push(code)
                    }
                    usleep(submitPause)
                }
            }
        }
        spawn {
            let connection = try LineConnection.login(port: port, "rev", "rev-password-1")
            while !load.stopped {
                guard let code = load.reviews.pop() else { usleep(5_000); continue }
                if try load.time("review", { try connection.roundTrip(["ASSESS REVIEW \(code) \(month) discipline=17 duties=58 bonus=1"])[0] }) {
                    load.approvals.push(code)
                }
            }
        }
        spawn {
            let connection = try LineConnection.login(port: port, "head", "head-password-1")
            while !load.stopped {
                guard let code = load.approvals.pop() else { usleep(5_000); continue }
                _ = try load.time("approve") { try connection.roundTrip(["ASSESS APPROVE \(code) \(month)"])[0] }
            }
        }
        spawn {
            let connection = try LineConnection.login(port: port, "org", "org-password-1")
            while !load.stopped {
                _ = try load.time("report") { try connection.roundTrip(["REPORT PROGRESS \(month) unit=HN"])[0] }
                load.pause(seconds: 5)
            }
        }
        spawn {
            let connection = try LineConnection.login(port: port, "admin", SoakService.adminPassword)
            var batch = 0
            while !load.stopped {
                load.pause(seconds: 60)
                if load.stopped { break }
                batch += 1
                // A new ward each minute with its 500 cadres: the listed units keep their size.
                let ward = "HN.N\(String(format: "%03d", batch))"
                let lines = ["type,code,name,parent,unit", "unit,\(ward),Phường mới \(batch),HN,"]
                    + (1...500).map { "cadre,N\(batch)X\(String(format: "%04d", $0)),Trần Thị \(batch)-\($0),,\(ward)" }
                _ = try load.time("import") { try connection.upload("ORG IMPORT format=csv", lines) }
            }
        }

        print("minute  " + Self.kinds.map { $0.padding(toLength: 16, withPad: " ", startingAt: 0) }.joined() + "errors  RSS MiB")
        print("        " + Self.kinds.map { _ in "n/s     p99 ms  " }.joined())
        let started = ContinuousClock.now
        let total = Int((minutes * 60).rounded())
        var summaries: [SoakLoad.Minute] = []
        var elapsed = 0
        while elapsed < total {
            let chunk = min(60, total - elapsed)
            Thread.sleep(forTimeInterval: Double(chunk))
            elapsed += chunk
            var minute = load.takeMinute()
            minute.seconds = Double(chunk)
            minute.residentMiB = service.residentMiB
            summaries.append(minute)
            print(minute.row(index: summaries.count, kinds: Self.kinds))
            fflush(nil)  // each minute as it ends, also when the output is a file
            if let failure = load.failure { print("soak: a worker stopped: \(failure)") }
        }
        load.stop()
        for thread in threads { while thread.isExecuting { usleep(10_000) } }
        print(String(format: "soak: %.1f minutes, %d self-assessments of %d cadres; first errors: %@", (ContinuousClock.now - started).seconds / 60,
                     load.nextCodeValue, codeCount, load.firstErrors.joined(separator: " | ")))
        if summaries.count >= 2, let first = summaries.first, let last = summaries.last {
            print("soak: first minute → last minute:")
            for kind in Self.kinds where first.count(kind) > 0 && last.count(kind) > 0 {
                print(String(format: "  %-8@ p99 %7.2f → %7.2f ms   %7.1f → %7.1f /s", kind, first.p99(kind), last.p99(kind), first.rate(kind), last.rate(kind)))
            }
            print(String(format: "  RSS     %7.1f → %7.1f MiB (peak %.1f)", first.residentMiB, last.residentMiB, summaries.map(\.residentMiB).max() ?? 0))
        }
    }

    static func expectOK(_ reply: String) throws {
        guard reply.hasPrefix("OK") else { throw ValidationFailure("setup: \(reply)") }
    }

    /// This month in the service's zone (Asia/Ho_Chi_Minh): open now, so its steps are on time.
    static func currentMonth() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let parts = calendar.dateComponents([.year, .month], from: Date())
        return String(format: "%04d-%02d", parts.year ?? 2026, parts.month ?? 1)
    }
}
