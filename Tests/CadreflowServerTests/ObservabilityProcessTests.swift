import CadreflowTesting
import Foundation
import Testing

extension WholeServiceTests {
    /// The real service with its metrics listener on and JSON logs: what an operator's
    /// Prometheus and log shipper would see.
    @Suite("Metrics, probes and JSON logs of the running service", .serialized)
    struct ObservabilityProcessTests {
        @Test("GET /metrics counts commands by name and result with latencies, uploads, transitions' batches and connections; /healthz and /readyz are 200; every log line is JSON")
        func metricsProbesAndLogs() async throws {
            guard ServiceProcess.executable != nil else {
                Issue.record("the cadreflow executable is missing beside the tests")
                return
            }
            let metricsPort = try ServiceProcess.freePort()
            let service = try ServiceProcess(environment: [
                "CADREFLOW_METRICS_LISTEN": "127.0.0.1:\(metricsPort)", "CADREFLOW_LOG_FORMAT": "json",
            ])
            defer { service.removeEverything() }
            try await service.start()

            let admin = try await ServiceProcessClient.login(port: service.port, "admin", ServerHarness.adminPassword)
            let rows = ["type,code,name,parent,unit", "unit,HN,Thành phố Hà Nội,,", "unit,HN.A,Phường Hoàn Kiếm,HN,", "cadre,M001,Nguyễn Thị Lan,,HN.A"]
            try await admin.upload("ORG IMPORT format=csv", rows).expectOK()
            try await admin.send("USER ADD rev role=manager unit=HN.A password=rev-password-1").expectOK()
            try await admin.send("USER ADD org role=organizer unit=HN password=org-password-1").expectOK()
            #expect(try await admin.send("CADRE SHOW NOPE_%").first?.hasPrefix("ERR NOTFOUND") == true)
            let shown = try await admin.send("CADRE SHOW M001")
            #expect(shown.first?.hasPrefix("DATA") == true, "\(shown)")
            let month = WholeServiceTests.CrashRestartTests.currentMonth()
            let organizer = try await ServiceProcessClient.login(port: service.port, "org", "org-password-1")
            try await organizer.send("CYCLE OPEN \(month) unit=HN").expectOK()
            let manager = try await ServiceProcessClient.login(port: service.port, "rev", "rev-password-1")
            #expect(try await manager.send("ASSESS SELF M001 \(month) discipline=18 duties=60 bonus=2").first?.hasPrefix("OK") == true)

            let metrics = try await HTTPGet.get(port: metricsPort, "/metrics")
            #expect(metrics.status == 200)
            let body = metrics.body
            for expected in [
                "cadreflow_commands_total{command=\"AUTH\",result=\"OK\"} 3",
                "cadreflow_commands_total{command=\"CADRE SHOW\",result=\"NOTFOUND\"} 1",
                "cadreflow_commands_total{command=\"CADRE SHOW\",result=\"OK\"} 1",
                "cadreflow_commands_total{command=\"ORG IMPORT\",result=\"GO\"} 1",
                "cadreflow_commands_total{command=\"ASSESS SELF\",result=\"OK\"} 1",
                "cadreflow_uploads_total{command=\"ORG IMPORT\",result=\"OK\"} 1",
                "cadreflow_connections_open 3.0",
                "cadreflow_command_duration_seconds_count{command=\"ASSESS SELF\"} 1",
                "cadreflow_transition_batch_size_count ",
                "cadreflow_pool_waits_total ",
            ] {
                #expect(body.contains(expected), "missing from /metrics: \(expected)")
            }
            #expect(body.contains("cadreflow_command_duration_seconds_bucket{command=\"CADRE SHOW\",le=\"0.001\"}"), "millisecond buckets")
            #expect(body.contains("cadreflow_upload_bytes_total "))
            #expect(!body.contains("cadreflow_transition_batch_size_count 0\n"), "the submit went through a committed batch")
            #expect(try await HTTPGet.get(port: metricsPort, "/healthz").status == 200)
            let ready = try await HTTPGet.get(port: metricsPort, "/readyz")
            #expect(ready.status == 200, "\(ready.body)")

            admin.close()
            organizer.close()
            manager.close()
            #expect(service.stop() == 0, "\(service.lastLog())")
            let lines = service.log().split(separator: "\n")
            #expect(lines.count > 5)
            var messages: [String] = []
            for line in lines {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    Issue.record("a log line that is not a JSON object: \(line)")
                    continue
                }
                #expect(object["level"] is String && object["ts"] is String)
                if let message = object["message"] as? String { messages.append(message) }
            }
            #expect(messages.contains("ready") && messages.contains("metrics ready") && messages.contains("shutting down"), "\(messages)")
        }
    }
}
