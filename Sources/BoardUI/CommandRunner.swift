import PipelineCore
import PipelineStorage
import TerminalCore

/// Runs board commands against a repository and works out each one's inverse from the
/// records as they were just before.
public struct CommandRunner: Sendable {
    public let repository: any BoardStore
    public let team: Team
    /// The language of the messages it reports.
    public let t: Localizer

    /// The stages as the board shows them, for naming them in messages without a read.
    let catalog: StageCatalog?

    public init(repository: any BoardStore, team: Team, language: Language = .english, catalog: StageCatalog? = nil) {
        self.repository = repository
        self.team = team
        self.t = Localizer(language)
        self.catalog = catalog
    }

    public func run(_ command: BoardCommand, context: ChangeContext) throws -> CommandResult {
        switch command {
        case .moveCard(let id, let stage, let placement, let version):
            let before = try card(id)
            let undoPlacement = try placementInColumn(of: before)
            let moved = try repository.moveOpportunity(id, to: stage, placement: placement, expectedVersion: version, context: context)
            let name = try stageName(stage)
            let message = before.stage == stage ? t("done.movedWithin", shown(moved), name)
                : t("done.moved", shown(moved), name, moved.probability?.description ?? "")
            return CommandResult(message: message, focus: .card(stage, id),
                                 inverse: .revertCard(before, placement: undoPlacement, expectedVersion: moved.version),
                                 changedStages: Set([before.stage, stage].compactMap { $0 }))
        case .revertCard(let snapshot, let placement, let version):
            let before = try card(snapshot.id)
            let undoPlacement = try placementInColumn(of: before)
            let reverted = try repository.revertOpportunity(to: snapshot, placement: placement, expectedVersion: version, context: context)
            var result = CommandResult(message: try revertMessage(from: before, to: reverted), focus: reverted.stage.map { .card($0, reverted.id) },
                                       inverse: .revertCard(before, placement: undoPlacement, expectedVersion: reverted.version),
                                       changedStages: reverted.team == before.team ? Set([before.stage, reverted.stage].compactMap { $0 }) : nil)
            result.rebase = VersionRebase(record: .opportunity(snapshot.id), from: snapshot.version, to: reverted.version)
            return result
        case .editCard(let id, let changes, let version):
            let before = try card(id)
            let undoPlacement = try placementInColumn(of: before)
            let edited = try repository.editOpportunity(id, changes, team: nil, stage: nil, expectedVersion: version, context: context)
            return CommandResult(message: t("done.saved", shown(edited)), focus: edited.stage.map { .card($0, id) },
                                 inverse: .revertCard(before, placement: undoPlacement, expectedVersion: edited.version))
        case .addCard(let changes, let stage):
            let added = try repository.addOpportunity(changes, team: team.id, stage: stage, context: context)
            return CommandResult(message: t("done.added", shown(added), try stageName(stage)), focus: .card(stage, added.id),
                                 inverse: .deleteCard(added.id, expectedVersion: added.version))
        case .deleteCard(let id, let version):
            let before = try card(id)
            try repository.deleteOpportunity(id, expectedVersion: version)
            return CommandResult(message: t("done.removed", shown(before)), focus: before.stage.map { .header($0) },
                                 inverse: before.stage.map { .addCard(Self.changes(restoring: before), stage: $0) })
        case .markWon(let id, let version):
            let before = try card(id)
            let undoPlacement = try placementInColumn(of: before)
            let focus = try focusAfterLeaving(before)
            let won = try repository.markWon(id, expectedVersion: version, context: context)
            return CommandResult(message: t("done.won", shown(won)), focus: focus,
                                 inverse: .revertCard(before, placement: undoPlacement, expectedVersion: won.version))
        case .markLost(let id, let reason, let stage, let version):
            let before = try card(id)
            let undoPlacement = try placementInColumn(of: before)
            let focus = try focusAfterLeaving(before)
            let lost = try repository.markLost(id, reason: reason, into: stage, expectedVersion: version, context: context)
            return CommandResult(message: t("done.lost", shown(lost), reason), focus: focus,
                                 inverse: .revertCard(before, placement: undoPlacement, expectedVersion: lost.version))
        case .moveStage(let id, let placement):
            let pipeline = try repository.catalog().pipeline(for: team)
            let rank = pipeline.rank(of: id) ?? 1
            let after = try repository.moveStage(id, in: team.id, to: placement)
            return CommandResult(message: t("done.stageMoved", after.stage(id)?.name ?? "", after.rank(of: id) ?? 0),
                                 focus: .header(id), inverse: .moveStage(id, to: .position(rank)), changedStages: [])
        case .editStage(let id, let edit, let version):
            guard let before = try repository.catalog().stage(id) else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: nil) }
            let after = try repository.editStage(id, edit, expectedVersion: version, context: context)
            return CommandResult(message: t("done.stageSaved", after.name, after.probability), focus: .header(id),
                                 inverse: .revertStage(before, expectedVersion: after.version))
        case .revertStage(let snapshot, let version):
            guard let before = try repository.catalog().stage(snapshot.id) else {
                throw PipelineError.unknownStage(String(snapshot.id.rawValue), pipeline: nil)
            }
            let back = StageEdit(name: snapshot.name, probability: snapshot.probability, requirements: snapshot.requirements,
                                 isFolded: snapshot.isFolded, outcome: snapshot.outcome,
                                 changesProbabilityAutomatically: snapshot.changesProbabilityAutomatically, scope: snapshot.scope)
            let after = try repository.editStage(snapshot.id, back, expectedVersion: version, context: context)
            var result = CommandResult(message: revertMessage(from: before, to: after), focus: .header(after.id),
                                       inverse: .revertStage(before, expectedVersion: after.version))
            result.rebase = VersionRebase(record: .stage(snapshot.id), from: snapshot.version, to: after.version)
            return result
        case .addStage(let draft, let position):
            let (stage, hint) = try repository.addStage(draft, in: team.id, at: position)
            return CommandResult(message: t("done.stageAdded", stage.name), hint: hint, focus: .header(stage.id),
                                 inverse: .removeStage(stage.id, moveTo: nil))
        case .removeStage(let id, let destination):
            let pipeline = try repository.catalog().pipeline(for: team)
            guard pipeline.stage(id) != nil else { throw PipelineError.unknownStage(String(id.rawValue), pipeline: team.name) }
            let rank = pipeline.rank(of: id) ?? 1
            // The removal says what it moved, every team's records and archived ones
            // included: undoing it puts back exactly those.
            let removal = try repository.removeStage(id, movingTo: destination, context: context)
            let focus = destination.map { Focus.header($0) } ?? pipeline.stages.first { $0.id != id }.map { .header($0.id) }
            return CommandResult(message: t("done.stageRemoved", removal.stage.name), focus: focus,
                                 inverse: .recreateStage(removal.stage, position: rank, cards: removal.moved, movedTo: destination))
        case .recreateStage(let stage, let position, let cards, let destination):
            let draft = StageDraft(name: stage.name, probability: stage.probability, requirements: stage.requirements,
                                   changesProbabilityAutomatically: stage.changesProbabilityAutomatically,
                                   isFolded: stage.isFolded, outcome: stage.outcome, scope: stage.scope)
            let (recreated, _) = try repository.addStage(draft, in: team.id, at: position)
            for moved in cards {
                var snapshot = moved.before
                snapshot.stage = recreated.id
                _ = try repository.revertOpportunity(to: snapshot, placement: .bottom, expectedVersion: moved.versionAfterMove, context: context)
            }
            return CommandResult(message: t("done.stageBack", recreated.name), focus: .header(recreated.id),
                                 inverse: .removeStage(recreated.id, moveTo: destination))
        case .addLead(let changes):
            let lead = try repository.addLead(changes, team: team.id, context: context)
            return CommandResult(message: t("done.leadAdded", shown(lead)), inverse: .deleteLead(lead.id, expectedVersion: lead.version),
                                 lead: lead.id)
        case .deleteLead(let id, let version):
            let before = try card(id)
            try repository.deleteLead(id, expectedVersion: version)
            return CommandResult(message: t("done.removed", shown(before)), inverse: .addLead(Self.changes(restoring: before)))
        case .editLead(let id, let changes, let version):
            let before = try card(id)
            let lead = try repository.editLead(id, changes, team: nil, expectedVersion: version, context: context)
            return CommandResult(message: t("done.leadSaved", shown(lead)), inverse: .revertLead(before, expectedVersion: lead.version), lead: lead.id)
        case .markLeadLost(let id, let reason, let version):
            let before = try card(id)
            let lead = try repository.markLeadLost(id, reason: reason, expectedVersion: version, context: context)
            return CommandResult(message: t("done.leadLost", shown(lead), reason), inverse: .revertLead(before, expectedVersion: lead.version))
        case .revertLead(let snapshot, let version):
            let before = try card(snapshot.id)
            let lead = try repository.revertLead(to: snapshot, expectedVersion: version, context: context)
            var result = CommandResult(message: try revertMessage(from: before, to: lead), inverse: .revertLead(before, expectedVersion: lead.version),
                                       lead: lead.id)
            result.rebase = VersionRebase(record: .opportunity(snapshot.id), from: snapshot.version, to: lead.version)
            return result
        case .convertLead(let id, let conversion, let version):
            let converted = try repository.convertLead(id, conversion, expectedVersion: version, context: context)
            let stage = try converted.stage.flatMap { try repository.catalog().stage($0) }
            let merged = conversion.mergeWith.isEmpty ? "" : t("done.merged", conversion.mergeWith.count + 1)
            var result = CommandResult(message: t("done.converted", shown(converted), stage?.name ?? "?", converted.probability?.description ?? "")
                                           + merged + t("leads.noUndo"), focus: converted.stage.map { .card($0, converted.id) })
            result.endsUndoHistory = true
            return result
        case .addActivity(let record, let changes):
            let deal = try card(record)
            let added = try repository.addActivity(to: record, changes, context: context)
            return CommandResult(message: t("done.activityAdded", added.summary, shown(deal), added.due.display(in: t.language)),
                                 focus: deal.stage.map { .card($0, deal.id) },
                                 inverse: .removeActivity(added.id, expectedVersion: added.version),
                                 changedStages: deal.stage.map { Set([$0]) })
        case .removeActivity(let id, let version):
            guard let before = try repository.activity(id) else { throw PipelineError.unknownActivity(String(id.rawValue)) }
            try repository.removeActivity(id, expectedVersion: version)
            let restoring = ActivityChanges(type: before.type, summary: before.summary, due: before.due, time: .some(before.time),
                                            assignedTo: before.assignedTo, notes: before.notes)
            return CommandResult(message: t("done.activityRemoved", before.summary), inverse: .addActivity(before.record, restoring))
        case .completeActivity(let id, let feedback, let next, let version):
            let result = try repository.completeActivity(id, feedback: feedback, next: next, expectedVersion: version, context: context)
            let message = result.next.map { t("done.activityDoneNext", result.done.summary, $0.summary, $0.due.display(in: t.language)) }
                ?? t("done.activityDone", result.done.summary)
            return CommandResult(message: message,
                                 inverse: .reopenActivity(id, expectedVersion: result.done.version, removingNext: result.next?.id,
                                                          nextVersion: result.next?.version))
        case .reopenActivity(let id, let version, let next, let nextVersion):
            // Open again and the next one gone, together: one transaction.
            let (before, reopened, scheduled) = try repository.inOneTransaction { writer -> (Activity?, Activity, ActivityChanges?) in
                let before = try writer.activity(String(id.rawValue))
                var scheduled: ActivityChanges?
                if let next {
                    let removed = try writer.activity(String(next.rawValue))
                    scheduled = ActivityChanges(type: removed.type, summary: removed.summary, due: removed.due, time: .some(removed.time),
                                                assignedTo: removed.assignedTo, notes: removed.notes)
                    try writer.removeActivity(next, expectedVersion: nextVersion)
                }
                return (before, try writer.reopenActivity(id, expectedVersion: version, context: context), scheduled)
            }
            return CommandResult(message: t("done.activityReopened", reopened.summary),
                                 inverse: .completeActivity(id, feedback: before?.completion?.feedback ?? "", next: scheduled,
                                                            expectedVersion: reopened.version))
        case .rescheduleActivity(let id, let due, let version):
            guard let before = try repository.activity(id) else { throw PipelineError.unknownActivity(String(id.rawValue)) }
            let after = try repository.rescheduleActivity(id, to: due, time: nil, expectedVersion: version, context: context)
            return CommandResult(message: t("done.activityRescheduled", after.summary, after.due.display(in: t.language)),
                                 inverse: .rescheduleActivity(id, to: before.due, expectedVersion: after.version))
        case .addNote(let record, let text):
            let deal = try card(record)
            let note = try repository.addNote(to: record, text: text, context: context)
            var result = CommandResult(message: t("done.noteAdded", shown(deal)), inverse: .removeNote(note), changedStages: [])
            result.noteAdded = true
            return result
        case .removeNote(let note):
            try repository.removeNote(note.id)
            return CommandResult(message: t("done.noteRemoved"), changedStages: [])
        }
    }

    /// Whether a record is still in play, won or lost: its stage's outcome, or lost when it
    /// was archived with a reason.
    private func outcome(of record: Opportunity) throws -> StageOutcome {
        guard record.isActive else { return record.lostReason == nil ? .open : .lost }
        guard let id = record.stage else { return .open }
        return try lookUpStage(id)?.outcome ?? .open
    }

    private func lookUpStage(_ id: Stage.ID) throws -> Stage? {
        try catalog?.stage(id) ?? repository.catalog().stage(id)
    }

    /// What undoing (or redoing) a change of a deal or lead gave back, said as what it is
    /// now: open again, lost again, back in a stage, or which fields came back.
    private func revertMessage(from before: Opportunity, to after: Opportunity) throws -> String {
        let (was, now) = (try outcome(of: before), try outcome(of: after))
        let lead = after.kind == .lead
        if now == .lost, was != .lost {
            return t(lead ? "done.leadLostAgain" : "done.lostAgain", shown(after), after.lostReason ?? "")
        }
        if now == .won, was != .won { return t("done.wonAgain", shown(after)) }
        let stageName = try after.stage.flatMap { try lookUpStage($0)?.name } ?? ""
        let probability = after.probability?.description ?? ""
        if now == .open, was != .open {
            return lead ? t("done.leadOpenAgain", shown(after)) : t("done.openAgain", shown(after), stageName, probability)
        }
        if after.stage != before.stage { return t("done.movedBack", shown(after), stageName, probability) }
        let fields = after.editedFields(comparedTo: before)
        guard !fields.isEmpty else { return t("done.restored", shown(after)) }
        return t("done.fieldsAgain", shown(after), fields.map { $0.name(in: t.language) }.joined(separator: ", "))
    }

    /// What undoing (or redoing) a stage edit gave back: the settings that changed, with
    /// the probability's value.
    private func revertMessage(from before: Stage, to after: Stage) -> String {
        var parts: [String] = []
        if before.name != after.name { parts.append(Field.stageName.name(in: t.language)) }
        if before.probability != after.probability { parts.append("\(Field.probability.name(in: t.language)) \(after.probability)") }
        if before.requirements != after.requirements { parts.append(Field.requirements.name(in: t.language)) }
        if before.isFolded != after.isFolded { parts.append(t(after.isFolded ? "done.part.folded" : "done.part.unfolded")) }
        if before.outcome != after.outcome { parts.append(t("done.part.outcome", after.outcome.name(in: t.language))) }
        if before.scope != after.scope { parts.append(t("done.part.scope")) }
        guard !parts.isEmpty else { return t("done.stageSaved", after.name, after.probability) }
        return t("done.stageAgain", after.name, parts.joined(separator: ", "))
    }

    /// The changes that give a new or edited record the fields `record` has: what undoing a
    /// removal adds back, and what undoing an edit writes.
    static func changes(restoring record: Opportunity) -> OpportunityChanges {
        var changes = OpportunityChanges()
        changes.title = record.title
        changes.customerName = record.customer.name
        changes.contactName = record.customer.contactName
        changes.email = record.customer.email
        changes.phone = record.customer.phone
        changes.expectedRevenue = record.expectedRevenue
        changes.salesperson = record.salesperson
        changes.expectedClosing = .some(record.expectedClosing)
        changes.priority = record.priority
        changes.tags = record.tags
        changes.notes = record.notes
        if record.probabilitySetByHand { changes.probability = record.probability }
        return changes
    }

    private func card(_ id: Opportunity.ID) throws -> Opportunity {
        guard let card = try repository.opportunity(id) else { throw PipelineError.unknownOpportunity(String(id.rawValue)) }
        return card
    }

    private func stageName(_ id: Stage.ID) throws -> String {
        if let name = catalog?.stage(id)?.name { return name }
        return try repository.catalog().stage(id)?.name ?? "?"
    }

    /// Where focus goes when a card leaves its column for good (won, lost): the card below it,
    /// else the one above, else the column's header — the salesperson stays where they work
    /// instead of following the deal to Won or Lost.
    private func focusAfterLeaving(_ card: Opportunity) throws -> Focus? {
        guard let stage = card.stage, card.isActive else { return nil }
        let column = ColumnQuery(team: card.team, stage: stage)
        let key = (card.rank, card.id.rawValue)
        // A window near a column's end is filled from the other side: only real neighbours count.
        let below = try repository.cardWindow(column, anchor: .after(card.cursor), limit: 1).cards.first { ($0.rank, $0.id.rawValue) > key }
        let above = try repository.cardWindow(column, anchor: .before(card.cursor), limit: 1).cards.last { ($0.rank, $0.id.rawValue) < key }
        return (below ?? above).map { .card(stage, $0.id) } ?? .header(stage)
    }

    /// A record's title as a status message quotes it: a long one is cut, so that what
    /// happened to it stays on the line.
    func shown(_ record: Opportunity) -> String {
        DisplayWidth.truncate(record.title, to: 32)
    }

    /// Where `card` sits now, as a placement that puts it back there: below the card above it.
    private func placementInColumn(of card: Opportunity) throws -> CardPlacement {
        guard let stage = card.stage, card.isActive else { return .top }
        let window = try repository.cardWindow(ColumnQuery(team: card.team, stage: stage), anchor: .before(card.cursor), limit: 1)
        // A window is filled from the other side near the top; only a card really above counts.
        let above = window.cards.last { ($0.rank, $0.id.rawValue) < (card.rank, card.id.rawValue) }
        return above.map { .after($0.id) } ?? .top
    }
}
