/// The probability rule and the moves of an opportunity's life: create, edit, move, won,
/// lost, restore, archive. Each returns the new record and, when the stage changed, the
/// history entry to store with it.
extension Stage {
    /// What entering this stage does to an opportunity's probability (the guide's rule):
    /// a won stage forces 100 %, a lost stage 0 %, a stage that changes probability
    /// automatically imposes its own; any other stage leaves it as it is.
    public var entryProbability: Probability? {
        if let forced = outcome.forcedProbability { return forced }
        return changesProbabilityAutomatically ? probability : nil
    }

    /// How a change of this stage's settings reaches the opportunities in it.
    public func occupantUpdate(after edited: Stage) -> OccupantProbabilityUpdate {
        if let forced = edited.outcome.forcedProbability, edited.outcome != outcome {
            return .everyone(forced)
        }
        if edited.probability != probability, edited.entryProbability != nil {
            return .followers(edited.probability)
        }
        return .none
    }
}

/// Which opportunities of a stage take a new probability after the stage is edited.
public enum OccupantProbabilityUpdate: Hashable, Sendable {
    case none
    /// Those whose probability follows the stage, never hand-set ones.
    case followers(Probability)
    /// All of them: the stage became won or lost.
    case everyone(Probability)
}

/// A changed opportunity and, when it changed stage, the history entry.
public struct OpportunityUpdate: Sendable {
    public var opportunity: Opportunity
    public var stageChange: StageChange?

    public init(opportunity: Opportunity, stageChange: StageChange?) {
        self.opportunity = opportunity
        self.stageChange = stageChange
    }

    public var changedStage: Bool { stageChange != nil }
}

extension Opportunity {
    /// A new opportunity in `pipeline`, in `stage` or else the pipeline's entry stage.
    ///
    /// Its probability comes from the stage (the rule applies on entry), unless the form
    /// gives one, which then counts as set by hand.
    public static func create(
        _ changes: OpportunityChanges, in pipeline: Pipeline, stage: Stage?, currency: CurrencyCode,
        at now: Timestamp, by user: String
    ) throws(PipelineError) -> OpportunityUpdate {
        guard let title = changes.title else { throw .emptyText(.title) }
        guard let stage = stage ?? pipeline.entryStage else { throw .noEntryStage(pipeline: pipeline.team.name) }
        let currency = changes.expectedRevenue?.currency ?? changes.currency ?? currency
        var opportunity = Opportunity(
            id: ID(0), title: title,
            customer: Customer(name: changes.customerName ?? "", contactName: changes.contactName ?? "",
                               email: changes.email ?? "", phone: changes.phone ?? ""),
            expectedRevenue: changes.expectedRevenue ?? .zero(currency),
            probability: stage.entryProbability ?? stage.probability,
            salesperson: changes.salesperson ?? "", team: pipeline.team.id, stage: stage.id,
            priority: changes.priority ?? .normal, tags: changes.tags ?? [],
            expectedClosing: changes.expectedClosing ?? nil, notes: changes.notes ?? "", createdAt: now)
        if let probability = changes.probability {
            try opportunity.setProbabilityByHand(probability, in: stage)
        }
        let change = StageChange(opportunity: opportunity.id, from: nil, to: stage.id, at: now, by: user)
        return OpportunityUpdate(opportunity: opportunity, stageChange: change)
    }

    /// Applies edited fields, and moves the opportunity when `requested` (a stage of
    /// `pipeline`, which may be another team's) differs from where it is.
    ///
    /// When the team changes and no stage is given, the opportunity keeps its stage if the
    /// new team's pipeline shows it, else goes to that pipeline's entry stage.
    public func edited(
        _ changes: OpportunityChanges, stage requested: Stage?, in pipeline: Pipeline,
        at now: Timestamp, by user: String
    ) throws(PipelineError) -> OpportunityUpdate {
        var result = self
        if let title = changes.title { result.title = title }
        if let name = changes.customerName { result.customer.name = name }
        if let contact = changes.contactName { result.customer.contactName = contact }
        if let email = changes.email { result.customer.email = email }
        if let phone = changes.phone { result.customer.phone = phone }
        if let revenue = changes.expectedRevenue {
            result.expectedRevenue = revenue
        } else if let currency = changes.currency, currency != expectedRevenue.currency {
            // Same figure, other currency: 1500 USD becomes 1500 VND, never a silent rounding.
            result.expectedRevenue = try Money(plain: expectedRevenue.plainString, currency: currency)
        }
        if let salesperson = changes.salesperson { result.salesperson = salesperson }
        if let closing = changes.expectedClosing { result.expectedClosing = closing }
        if let priority = changes.priority { result.priority = priority }
        if let tags = changes.tags { result.tags = tags }
        if let notes = changes.notes { result.notes = notes }
        result.team = pipeline.team.id

        var stageChange: StageChange?
        if kind == .opportunity {
            let current = stage.flatMap(pipeline.stage)
            guard let destination = requested ?? current ?? pipeline.entryStage else {
                throw .noEntryStage(pipeline: pipeline.team.name)
            }
            if destination.id != stage {
                result.enter(destination, leaving: current, at: now)
                stageChange = StageChange(opportunity: id, from: stage, to: destination.id, at: now, by: user)
            }
            if let probability = changes.probability {
                try result.setProbabilityByHand(probability, in: destination)
            }
        }
        // Only a deal still lost after the edit keeps a reason to reword.
        if let reason = changes.lostReason, result.lostReason != nil { result.lostReason = reason }
        result.updatedAt = now
        return OpportunityUpdate(opportunity: result, stageChange: stageChange)
    }

    /// Moves the opportunity into `stage` (of its own team's pipeline), applying the
    /// stage's probability rule. Moving to the stage it is in changes nothing.
    public func moved(to stage: Stage, in pipeline: Pipeline, at now: Timestamp, by user: String) throws(PipelineError) -> OpportunityUpdate {
        guard kind == .opportunity else { throw .notAnOpportunity(id) }
        guard pipeline.team.id == team, pipeline.stage(stage.id) != nil else {
            throw .stageNotInPipeline(stage: stage.name, pipeline: pipeline.team.name)
        }
        guard stage.id != self.stage else { return OpportunityUpdate(opportunity: self, stageChange: nil) }
        var result = self
        result.enter(stage, leaving: self.stage.flatMap(pipeline.stage), at: now)
        result.updatedAt = now
        return OpportunityUpdate(
            opportunity: result,
            stageChange: StageChange(opportunity: id, from: self.stage, to: stage.id, at: now, by: user))
    }

    /// Marks the deal won: into the pipeline's first won stage, at 100 %.
    public func markedWon(in pipeline: Pipeline, at now: Timestamp, by user: String) throws(PipelineError) -> OpportunityUpdate {
        guard let won = pipeline.firstWonStage else { throw .noWonStage(pipeline: pipeline.team.name) }
        var update = try moved(to: won, in: pipeline, at: now, by: user)
        update.opportunity.isActive = true
        update.opportunity.lostReason = nil
        update.opportunity.probability = .certain
        update.opportunity.probabilitySetByHand = false
        update.opportunity.updatedAt = now
        return update
    }

    /// Marks the deal lost with a reason: into `stage` when it is a lost stage (else the
    /// pipeline's first lost stage), staying active at 0 %; or, when the pipeline has no lost
    /// stage, archived at 0 % where it is.
    public func markedLost(reason: String, into stage: Stage? = nil, in pipeline: Pipeline, at now: Timestamp,
                           by user: String) throws(PipelineError) -> OpportunityUpdate {
        let reason = try TextInput.requiredName(reason, field: .lostReason)
        var update: OpportunityUpdate
        // A lost stage the user chose (a card carried into it), else the pipeline's first.
        if let lost = stage.flatMap({ $0.outcome == .lost ? $0 : nil }) ?? pipeline.firstLostStage {
            update = try moved(to: lost, in: pipeline, at: now, by: user)
        } else {
            guard kind == .opportunity else { throw .notAnOpportunity(id) }
            update = OpportunityUpdate(opportunity: self, stageChange: nil)
            update.opportunity.isActive = false
        }
        update.opportunity.lostReason = reason
        update.opportunity.probability = .zero
        update.opportunity.probabilitySetByHand = false
        update.opportunity.updatedAt = now
        return update
    }

    /// Undoes lost, won or archived: back to the stage it was in before (from `history`,
    /// oldest first) with that stage's rule, unarchived, the lost reason cleared.
    public func restored(in pipeline: Pipeline, history: [StageChange], at now: Timestamp, by user: String) throws(PipelineError) -> OpportunityUpdate {
        guard kind == .opportunity, let current = stage else { throw .notAnOpportunity(id) }
        let currentStage = pipeline.stage(current)
        let isClosed = currentStage.map { $0.outcome != .open } ?? false
        guard !isActive || isClosed || lostReason != nil else { throw .nothingToRestore(id) }
        var update: OpportunityUpdate
        if isClosed {
            guard let destination = pipeline.lastOpenStage(in: history) ?? pipeline.entryStage else {
                throw .noEntryStage(pipeline: pipeline.team.name)
            }
            update = try moved(to: destination, in: pipeline, at: now, by: user)
        } else {
            update = OpportunityUpdate(opportunity: self, stageChange: nil)
            // Lost without a lost stage: its probability was zeroed, so the stage decides again.
            if lostReason != nil, let stage = currentStage {
                update.opportunity.probability = stage.entryProbability ?? stage.probability
                update.opportunity.probabilitySetByHand = false
            }
        }
        update.opportunity.isActive = true
        update.opportunity.lostReason = nil
        update.opportunity.updatedAt = now
        return update
    }

    /// Hides the opportunity from the board and the open pipeline; it keeps its stage.
    public func archived(at now: Timestamp) -> Opportunity {
        var result = self
        result.isActive = false
        result.updatedAt = now
        return result
    }

    /// Sets a probability typed by hand. A won or lost stage keeps its fixed probability.
    public mutating func setProbabilityByHand(_ probability: Probability, in stage: Stage) throws(PipelineError) {
        if let forced = stage.outcome.forcedProbability {
            guard forced == probability else { throw .probabilityFixedByOutcome(stage: stage.name, outcome: stage.outcome) }
            self.probability = forced
            probabilitySetByHand = false
            return
        }
        self.probability = probability
        probabilitySetByHand = true
    }

    /// Puts the opportunity into `stage` from `source` (`nil`: a stage this pipeline does not
    /// show, or none): the stage's probability rule, and the end of a loss the move undoes.
    mutating func enter(_ stage: Stage, leaving source: Stage?, at now: Timestamp) {
        self.stage = stage.id
        stageChangedAt = now
        if let probability = stage.entryProbability {
            self.probability = probability
            probabilitySetByHand = false
        }
        if !Self.keepsLostReason(entering: stage.outcome, leaving: source?.outcome, isActive: isActive) {
            lostReason = nil
        }
    }

    /// Whether a deal's lost reason stays when it moves from a stage of outcome `source`
    /// (`nil`: unknown) into one of outcome `destination`. Every way of moving a deal asks
    /// this, one card or a whole column at a time.
    ///
    /// A lost reason belongs to a lost deal: one in a lost stage, or one archived where it
    /// stood when it was lost in a pipeline without a lost stage. So a deal moved out of a
    /// lost stage is open again, and so is a deal moved into a won stage; a deal moved
    /// between lost stages stays lost, and an archived deal lost outside a lost stage keeps
    /// its reason when its stage changes (its column removed, say). An active deal in an
    /// open stage is never lost.
    public static func keepsLostReason(entering destination: StageOutcome, leaving source: StageOutcome?, isActive: Bool) -> Bool {
        switch destination {
        case .lost: return true
        case .won: return false
        case .open: return !isActive && source != .lost
        }
    }
}

extension Opportunity {
    /// The opportunity as `snapshot` had it — fields, stage, probability, archived state —
    /// for undoing a change. Going back to another stage is a stage change like any other
    /// (recorded in the history); a stage that is now won or lost still imposes its
    /// probability.
    public func reverted(to snapshot: Opportunity, in pipeline: Pipeline, at now: Timestamp, by user: String) throws(PipelineError) -> OpportunityUpdate {
        guard snapshot.id == id, kind == .opportunity else { throw .notAnOpportunity(id) }
        var result = snapshot
        result.version = version
        result.createdAt = createdAt
        result.updatedAt = now
        result.rank = rank
        result.stageChangedAt = stageChangedAt
        var stageChange: StageChange?
        if let target = snapshot.stage, target != stage {
            guard let destination = pipeline.stage(target), pipeline.team.id == snapshot.team else {
                throw .stageNotInPipeline(stage: String(target.rawValue), pipeline: pipeline.team.name)
            }
            if let forced = destination.outcome.forcedProbability { result.probability = forced; result.probabilitySetByHand = false }
            result.stageChangedAt = now
            stageChange = StageChange(opportunity: id, from: stage, to: target, at: now, by: user)
        } else if let current = stage.flatMap(pipeline.stage), let forced = current.outcome.forcedProbability {
            result.probability = forced
            result.probabilitySetByHand = false
        }
        return OpportunityUpdate(opportunity: result, stageChange: stageChange)
    }
}
