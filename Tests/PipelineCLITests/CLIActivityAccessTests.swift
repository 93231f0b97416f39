import Foundation
import Testing

/// Who may plan activities, write notes and change the activity types on a team server
/// (issue 13): the same as who may change the deal, through the CLI, with the four-login fixture.
@Suite("CLI: activities and notes on a team server")
struct CLIActivityAccessTests {
    @Test func aSalespersonPlansActivitiesOnlyOnDealsTheyMayChange() throws {
        let world = try AccessFixture()
        let sam = world.salesperson, olga = world.ownDealsSalesperson, lee = AccessFixture.colleague
        let alpha = world.id("Alpha deal"), lees = world.id("Lee's deal"), leesCharlie = world.id("Lee's Charlie deal")
        // Their own deal: planned, done with the next one, a note; the history says who.
        world.ok(sam, ["activity", "add", "Sam's deal", "--type", "call", "--due", "tomorrow", "--summary", "Ring"],
                 environment: ["USER": "mallory"])
        let mine = world.objects(sam, ["activity", "list"])
        #expect(mine.count == 1 && mine.first?["assigned_to"] as? String == sam && mine.first?["deal"] as? String == "Sam's deal")
        world.ok(sam, ["activity", "done", "1", "--next", "meeting"])
        world.ok(sam, ["opp", "note", "Sam's deal", "Met the buyer"])
        // Another team's deal is out of their sight; a colleague's in their team is not theirs to plan.
        let add = ["--type", "call", "--due", "tomorrow", "--summary", "Sneak"]
        let unseen = world.run(sam, ["activity", "add", String(alpha)] + add)
        #expect(unseen.status == 65 && unseen.stderr == "error: opportunity: no opportunity '\(alpha)'\n", "\(unseen.stderr)")
        world.refused(sam, ["activity", "add", "Lee's deal"] + add, CLIAccessTests.othersDeal(lees, lee, "Bravo"))
        world.refused(sam, ["opp", "note", "Lee's deal", "Sneaky"], CLIAccessTests.othersDeal(lees, lee, "Bravo"))
        // Their own deal's activity goes to nobody outside the team.
        world.refused(sam, ["activity", "add", "Sam's deal", "--assign", olga] + add.dropLast(2) + ["--summary", "x"],
                      "\(olga) is not in team Bravo: an activity goes to a member of its deal's team")
        // Own deals only: Olga plans on hers, not on a colleague's in Charlie (which she cannot even see).
        world.ok(olga, ["activity", "add", "Olga's deal"] + add)
        let hidden = world.run(olga, ["activity", "add", String(leesCharlie)] + add)
        #expect(hidden.status == 65 && hidden.stderr == "error: opportunity: no opportunity '\(leesCharlie)'\n", "\(hidden.stderr)")
        // A manager of Alpha plans on Alpha's deals, for its salesperson.
        world.ok(world.manager, ["activity", "add", "Alpha deal"] + add)
        #expect(world.owner.objects(["activity", "list", "--user", lee]).compactMap { $0["deal"] as? String } == ["Alpha deal"])
    }

    @Test func aNoteIsRemovedOnlyByItsAuthorOrAManager() throws {
        let world = try AccessFixture()
        let sam = world.salesperson
        world.ok(world.admin, ["opp", "note", "Open deal", "From the administrator"])
        world.ok(sam, ["opp", "note", "Open deal", "From Sam"])
        world.refused(sam, ["opp", "note", "remove", "1"], "note 1 is \(world.admin)'s: only they or a manager of Bravo can remove it")
        world.ok(sam, ["opp", "note", "remove", "2"])
        world.ok(world.admin, ["opp", "note", "remove", "1"])
        let timeline = world.owner.object(["opp", "show", "Open deal"])["timeline"] as? [[String: Any]] ?? []
        #expect(!timeline.contains { $0["kind"] as? String == "note" })
    }

    @Test func onlyManagersAndAdministratorsChangeTheActivityTypes() throws {
        let world = try AccessFixture()
        let refusal = "only a manager or an administrator can change the list of activity types"
        world.refused(world.salesperson, ["activity", "type", "add", "Visit"], refusal)
        world.refused(world.salesperson, ["activity", "type", "edit", "Call", "--delay", "9"], refusal)
        world.refused(world.salesperson, ["activity", "type", "remove", "To-do"], refusal)
        #expect(world.objects(world.salesperson, ["activity", "type", "list"]).count == 4)
        world.ok(world.manager, ["activity", "type", "add", "Visit", "--next", "call", "--delay", "2"])
        world.ok(world.admin, ["activity", "type", "edit", "Visit", "--name", "Site visit"])
        world.ok(world.manager, ["activity", "type", "remove", "Site visit"])
    }

    /// A type another team's activity has: the manager of Alpha, who cannot see Bravo's
    /// activities, is told so in the program's sentence without their number (not the
    /// server's foreign-key message), exit 65, nothing changed; the administrator, who sees
    /// them, gets the count as on a file.
    @Test func aTypeAnotherTeamUsesIsRefusedInOneSentenceWithoutItsCount() throws {
        let world = try AccessFixture()
        world.ok(world.manager, ["activity", "type", "add", "Visit"])
        world.ok(world.salesperson, ["activity", "add", "Sam's deal", "--type", "visit", "--due", "tomorrow", "--summary", "Visit them"])
        let before = world.everything
        for (login, sentence) in [
            (world.manager, "activity type 'Visit' is still used by activities, some of them in teams you do not see: their type must be changed first"),
            (world.admin, "activity type 'Visit' is still used by 1 activity: change their type first"),
        ] {
            let result = world.run(login, ["activity", "type", "remove", "Visit"])
            #expect(result.status == 65 && result.stderr == "error: \(sentence)\n" && result.stdout.isEmpty, "\(login): \(result.stderr)")
        }
        #expect(world.everything == before)
    }
}
