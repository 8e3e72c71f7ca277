@testable import CadreflowEngine
import Testing

@Suite("A lane's memory of recently moved instances")
struct RecentInstancesTests {
    private func snapshot(_ id: Int64, version: Int64 = 1) -> InstanceSnapshot {
        InstanceSnapshot(id: id, workflow: "assessment", definitionVersion: 1, key: "assessment/C\(id)/2026-11",
                         state: "submitted", version: version, data: ["discipline": "18"])
    }

    @Test("A month of distinct instances never holds more than the limit, and the latest are remembered")
    func bounded() {
        var recent = RecentInstances(limit: 1_000)
        for id in 1...40_000 { recent.store(snapshot(Int64(id))) }
        #expect(recent.count <= 1_000)
        #expect(recent.count >= 500)
        #expect(recent[.id(40_000)]?.key == "assessment/C40000/2026-11")
        #expect(recent[.key("assessment/C39600/2026-11")]?.id == 39_600)
        #expect(recent[.id(1)] == nil)
        #expect(recent[.key("assessment/C1/2026-11")] == nil)
    }

    @Test("Storing again replaces the state; one moved again survives the turnover of a generation")
    func replaced() {
        var recent = RecentInstances(limit: 4)
        recent.store(snapshot(1))
        recent.store(snapshot(2))
        recent.store(snapshot(1, version: 2))  // still in the newer generation: replaced in place
        #expect(recent.count == 2)
        #expect(recent[.id(1)]?.version == 2)
        recent.store(snapshot(3))  // the newer (1, 2) becomes the older
        recent.store(snapshot(1, version: 3))  // moved from the older to the newer
        recent.store(snapshot(4))  // the newer (3, 1) becomes the older; (2) is forgotten
        #expect(recent[.id(2)] == nil)
        #expect(recent[.id(1)]?.version == 3)
        #expect(recent[.id(3)] != nil && recent[.id(4)] != nil)
        #expect(recent.count == 3)
        recent.remove(.key("assessment/C1/2026-11"))
        #expect(recent[.id(1)] == nil)
    }
}
