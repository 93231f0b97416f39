import PipelineCore

/// What the board asks before a key acts (issue 12). The questions are the core's `Access`
/// ones, the same the store's operations and the CLI ask, so the board refuses what they
/// would refuse, in the same sentence, before anything is written. A refused key opens no
/// pane and changes nothing but the status line. The server's own refusal, for a role that
/// changed since the board last read it, is said the same way (`BoardReducer.failed`).
extension BoardState {
    /// The teams the user belongs to (every team, for an administrator or a file's owner):
    /// what the team picker and the conversion wizard offer.
    public var memberTeams: [Team] { access.memberTeams(of: teams) }

    /// The team a record belongs to, as the board knows it.
    func team(of record: Opportunity) -> Team {
        record.team == team.id ? team : teams.first { $0.id == record.team } ?? team
    }

    /// Seeing and adding to the team shown: for a login in no team at all, the sentence that
    /// says so rather than naming this one.
    var refusalToUseTeam: AccessRefusal? {
        access.refusalToUse(team).map { memberTeams.isEmpty ? .noTeam : $0 }
    }

    /// Editing, reordering or removing `stage`; with `nil`, adding a stage to the team shown.
    func refusalToChangeStage(_ stage: Stage?) -> AccessRefusal? {
        access.refusalToChangeStage(stage, of: team, allTeams: teams)
    }

    /// Moving, editing, winning, losing, converting a deal or lead.
    func refusalToChange(_ record: Opportunity) -> AccessRefusal? {
        access.refusalToChange(record, of: team(of: record))
    }

    /// Saving a record of `team` whose salesperson the form sets to `salesperson` (`nil`:
    /// the form leaves it as it was).
    func refusalToAssign(_ salesperson: String?, in team: Team, kind: RecordKind) -> AccessRefusal? {
        salesperson.flatMap { access.refusalToAssign(to: $0, in: team, kind: kind) }
    }

    /// Where `N` puts a new column: in every team's pipeline (the reference CRM's default)
    /// for whoever may change them all, else in the shown team's alone, which its manager
    /// may change. A manager of one team of several would otherwise be refused every column.
    var newStageScope: StageScope { access.newStageScope(in: team, allTeams: teams) }

    /// What a new deal or lead's salesperson field starts as, as the store would give it: its
    /// creator, the user at the board (a server's login, a file's `$USER`). They may clear it
    /// (nobody) or, if they may, give it to someone else. `nil` (no field; the store gives the
    /// creator) only when the board does not know who the user is.
    var defaultSalesperson: String? {
        let creator = access.salesperson(forNew: nil, creator: me)
        return creator.isEmpty ? nil : creator
    }

    /// Says why in the status line, and asks the store who the user is now: an
    /// administrator may have given them more since the board last read it, and a server
    /// does not announce that, so that the key works when pressed again.
    mutating func refuse(_ refusal: AccessRefusal) -> [BoardEffect] {
        status = .error(refusal.message(in: language))
        return [.checkAccess]
    }

    /// Why a key of the table can never act for this user on the team shown (whatever has
    /// focus): what the `?` help marks. Keys that depend on the card or stage focused (a
    /// salesperson's own cards move, a colleague's do not) are not marked.
    func refusal(forKey action: BoardAction) -> AccessRefusal? {
        switch action {
        case .editStage, .addColumn, .deleteColumn, .moveColumnLeft, .moveColumnRight:
            return refusalToChangeStage(nil)
        default:
            return nil
        }
    }
}
