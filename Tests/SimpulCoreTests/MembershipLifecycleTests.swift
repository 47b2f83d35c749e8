import Testing
@testable import SimpulCore

@Suite("Siklus keanggotaan")
struct MembershipLifecycleTests {
    @Test("the happy path: pending → verified → active")
    func happyPath() {
        #expect(MembershipLifecycle.next(after: .verify, from: .pending) == .verified)
        #expect(MembershipLifecycle.next(after: .activate, from: .verified) == .active)
    }

    @Test("no shortcut from pending to active, no second activation, no way back from rejected")
    func forbiddenMoves() {
        #expect(MembershipLifecycle.next(after: .activate, from: .pending) == nil)
        #expect(MembershipLifecycle.next(after: .activate, from: .active) == nil)
        for action in MembershipAction.allCases {
            #expect(MembershipLifecycle.next(after: action, from: .rejected) == nil)
        }
        #expect(MembershipLifecycle.next(after: .reject, from: .active) == nil)
    }

    @Test("every status offers exactly the actions that lead somewhere")
    func offeredActions() {
        #expect(MembershipLifecycle.actions(from: .pending) == [.verify, .reject])
        #expect(MembershipLifecycle.actions(from: .verified) == [.activate, .reject])
        #expect(MembershipLifecycle.actions(from: .active) == [.deactivate])
        #expect(MembershipLifecycle.actions(from: .inactive) == [.reactivate])
        #expect(MembershipLifecycle.actions(from: .rejected).isEmpty)
        #expect(MembershipLifecycle.refusal(.activate, from: .pending).contains("Menunggu verifikasi"))
    }
}
