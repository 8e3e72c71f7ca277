import CadreflowEngine
import Foundation
import Testing

@Suite("Definitions are validated before start")
struct DefinitionValidationTests {
    private func check(_ json: String, hooks: HookNames = HookNames()) throws {
        let definition = try DefinitionLoader.parse(Data(json.utf8), file: "x.json")
        try DefinitionValidator.validate(definition, file: "x.json", vocabulary: EngineHarness.vocabulary(hooks))
    }

    private func base(transitions: String, states: String = #"["a", "b", "done"]"#, extra: String = "") -> String {
        #"{"name": "w", "version": 1, "states": \#(states), "initial": "a", "final": ["done"], "transitions": \#(transitions)\#(extra)}"#
    }

    private let good = #"[{"name": "go", "from": ["a"], "to": "b", "roles": ["manager"]}, {"name": "end", "from": ["b"], "to": "done", "roles": ["manager"]}]"#

    @Test("A sound definition passes")
    func sound() throws {
        try check(base(transitions: good))
    }

    @Test("Each problem is refused, naming the file and the key", arguments: [
        (#"[{"name": "go", "from": ["a"], "to": "nowhere", "roles": ["manager"]}]"#, "transitions[0].to", "unknown state nowhere"),
        (#"[{"name": "go", "from": ["zz"], "to": "b", "roles": ["manager"]}]"#, "transitions[0].from[0]", "unknown state zz"),
        (#"[{"name": "go", "from": ["a"], "to": "done", "roles": ["manager"]}, {"name": "go", "from": ["b"], "to": "done", "roles": ["manager"]}]"#, "transitions[1].name", "duplicate transition name go"),
        (#"[{"name": "go", "from": ["a"], "to": "done", "roles": ["manager"]}]"#, "states[1]", "b cannot be reached"),
        (#"[{"name": "go", "from": ["a"], "to": "b", "roles": ["manager"]}, {"name": "stay", "from": ["b"], "to": "b", "roles": ["manager"]}]"#, "states", "done cannot be reached"),
        (#"[{"name": "go", "from": ["a"], "to": "b", "roles": ["pope"]}]"#, "transitions[0].roles[0]", "unknown role pope"),
        (#"[{"name": "go", "from": ["a"], "to": "b", "roles": ["manager"], "guard": "nope"}, {"name": "end", "from": ["b"], "to": "done", "roles": ["manager"]}]"#, "transitions[0].guard", "unknown guard hook nope"),
        (#"[{"name": "go", "from": ["a"], "to": "b", "roles": ["manager"], "effect": "nope"}, {"name": "end", "from": ["b"], "to": "done", "roles": ["manager"]}]"#, "transitions[0].effect", "unknown effect hook nope"),
        (#"[{"name": "go", "from": ["a"], "to": "b", "roles": ["manager"], "colour": "red"}]"#, "transitions[0].colour", "unknown key"),
        (#"[{"name": "go", "from": ["a"], "to": "b"}]"#, "transitions[0].roles", "missing"),
        (#"[{"name": "go", "from": ["done"], "to": "b", "roles": ["manager"]}]"#, "transitions[0].from[0]", "final"),
    ])
    func refused(transitions: String, key: String, message: String) {
        let error = #expect(throws: DefinitionError.self) { try check(base(transitions: transitions)) }
        #expect(error?.file == "x.json")
        #expect(error?.key.hasPrefix(key) == true, "key \(error?.key ?? "-") should start with \(key)")
        #expect(error?.message.contains(message) == true, "message \(error?.message ?? "-") should contain \(message)")
    }

    @Test("Timers must name a state, and a transition the system may fire from it")
    func timers() {
        let wrongState = base(transitions: good, extra: #", "timers": [{"state": "b", "after": "1h", "fire": "go"}]"#)
        let error = #expect(throws: DefinitionError.self) { try check(wrongState) }
        #expect(error?.key == "timers[0].fire")
        #expect(error?.message.contains("cannot start from b") == true)
        let notSystem = base(transitions: good, extra: #", "timers": [{"state": "a", "after": "1h", "fire": "go"}]"#)
        #expect((#expect(throws: DefinitionError.self) { try check(notSystem) })?.message.contains("system") == true)
        let badDuration = base(transitions: good, extra: #", "timers": [{"state": "a", "after": "soon", "fire": "go"}]"#)
        #expect((#expect(throws: DefinitionError.self) { try check(badDuration) })?.key == "timers[0].after")
        let both = base(transitions: good, extra: #", "timers": [{"state": "a", "after": "1h", "at_field": "x", "fire": "go"}]"#)
        #expect((#expect(throws: DefinitionError.self) { try check(both) })?.message.contains("exactly one") == true)
    }

    @Test("Unknown top-level keys and bad JSON are refused with the file named")
    func topLevel() {
        let unknown = #expect(throws: DefinitionError.self) { try check(#"{"name": "w", "version": 1, "stats": []}"#) }
        #expect(unknown?.key == "stats")
        let broken = #expect(throws: DefinitionError.self) { try check("{not json") }
        #expect(broken?.file == "x.json")
        let version = #expect(throws: DefinitionError.self) {
            try check(#"{"name": "w", "version": true, "states": ["a"], "initial": "a", "final": ["a"], "transitions": []}"#)
        }
        #expect(version?.key == "version")
    }
}
