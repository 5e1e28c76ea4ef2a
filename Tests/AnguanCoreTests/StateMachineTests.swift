import AnguanCore
import Testing

@Suite("The closed loop")
struct StateMachineTests {
    let deadline = Instant.parse("2026-03-10 00:00")!

    @Test func theWholeLoop() throws {
        var s = ProblemState.warned
        s = try ProblemStateMachine.transition(from: s, action: .verify, by: .legalOfficer).get()
        #expect(s == .verifying)
        s = try ProblemStateMachine.transition(from: s, action: .confirm, by: .supervisor).get()
        s = try ProblemStateMachine.transition(from: s, action: .push, by: .supervisor, deadline: deadline).get()
        #expect(s == .rectifying)
        s = try ProblemStateMachine.transition(from: s, action: .answer, by: .unitHead, comment: "已补录通知家属记录").get()
        s = try ProblemStateMachine.transition(from: s, action: .review, by: .supervisor).get()
        #expect(s == .recheck)
        #expect(try ProblemStateMachine.transition(from: s, action: .sendBack, by: .supervisor, comment: "整改不到位").get() == .rectifying)
        #expect(try ProblemStateMachine.transition(from: s, action: .close, by: .supervisor).get() == .closed)
    }

    @Test func everyRoleAndActionIsEitherAllowedOrRefusedWithAReason() {
        for state in ProblemState.allCases {
            for role in Role.allCases {
                for action in ProblemAction.allCases {
                    let r = ProblemStateMachine.transition(from: state, action: action, by: role, comment: "理由", deadline: deadline)
                    if case .failure(let refusal) = r { #expect(!refusal.description.isEmpty) }
                }
            }
        }
    }

    @Test func refusals() throws {
        #expect(ProblemStateMachine.transition(from: .warned, action: .verify, by: .officer) == .failure(.notForRole(.verify, .officer)))
        #expect(ProblemStateMachine.transition(from: .warned, action: .verify, by: .prosecutor) == .failure(.notForRole(.verify, .prosecutor)))
        #expect(ProblemStateMachine.transition(from: .warned, action: .close, by: .supervisor) == .failure(.notFromState(.close, .warned)))
        #expect(ProblemStateMachine.transition(from: .verifying, action: .dismiss, by: .legalOfficer) == .failure(.reasonRequired(.dismiss)))
        #expect(ProblemStateMachine.transition(from: .confirmed, action: .push, by: .supervisor) == .failure(.deadlineRequired))
        #expect(ProblemStateMachine.transition(from: .rectifying, action: .answer, by: .supervisor, comment: "x")
            == .failure(.notForRole(.answer, .supervisor)))
        #expect(ProblemStateMachine.transition(from: .closed, action: .findingGone, by: .patrol) == .failure(.notFromState(.findingGone, .closed)))
        #expect(try ProblemStateMachine.transition(from: .rectifying, action: .findingGone, by: .patrol).get() == .recheck)
        #expect(try ProblemStateMachine.transition(from: .recheck, action: .findingReappeared, by: .patrol).get() == .warned)
        #expect(ProblemStateMachine.transition(from: .verifying, action: .dismiss, by: .legalOfficer, comment: "  ")
            == .failure(.reasonRequired(.dismiss)))
    }
}
