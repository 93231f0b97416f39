import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

/// `pipeline stage …`: shape a team's pipeline.
struct StageCommand: ParsableCommand {
    static var configuration: CommandConfiguration { CommandConfiguration(
        commandName: "stage",
        abstract: localized("cli.stage.listAddEditReorderAnd"),
        discussion: localized("cli.stage.stageCommandsActOnThe"),
        subcommands: [List.self, Add.self, Edit.self, Move.self, Remove.self, Suggest.self]) }

    enum OutcomeFlag: String, EnumerableFlag {
        case open, won, lost

        static func help(for value: OutcomeFlag) -> ArgumentHelp? {
            ArgumentHelp(localized("cli.stage.flag.\(value.rawValue)"))
        }

        var outcome: StageOutcome { StageOutcome(rawValue: rawValue) ?? .open }
    }

    enum ScopeOption: String, CaseIterable {
        case shared, team
    }

    struct List: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.stage.listAPipelineSStages")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.option.team"), valueName: "team")) var team: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let team = try session.team(team)
            let catalog = try session.database.catalog()
            let figures = try session.database.stageFigures(team: team.id)
            let stages = catalog.pipeline(for: team).stages
            if json {
                // Each stage's seen rate (issue 14) among the team's closed deals.
                let observed = Dictionary(try session.database.stageObservations(team: team.id, since: nil).map { ($0.stage, $0) },
                                          uniquingKeysWith: { first, _ in first })
                Console.out(JSONValue.array(stages.enumerated().map { index, stage in
                    var members: [(String, JSONValue)] = []
                    if case .object(let fields) = Present.stage(stage, position: index + 1, catalog: catalog, figures: figures[stage.id]) {
                        members = fields
                    }
                    members.append(("observed", Present.observed(observed[stage.id] ?? StageObservation(stage: stage.id))))
                    return .object(members)
                }).rendered())
                return
            }
            // Rotting days only where a stage has them: a pipeline without reads as it always did.
            let rotting = stages.contains { $0.rottingDays != nil }
            var columns: [Table.Column] = [
                .init(localized("cli.column.position"), max: 3, right: true), .init(localized("cli.column.id"), max: 5, right: true), .init(localized("cli.column.stage"), max: 24, min: 10, wraps: true),
                .init(localized("cli.column.probability"), max: 6, right: true), .init(localized("cli.column.auto"), max: 4), .init(localized("cli.column.outcome"), max: 7), .init(localized("cli.column.folded"), max: 4),
                .init(localized("cli.column.team"), max: 12, min: 4, wraps: true), .init(localized("cli.column.deals"), max: 7, right: true),
            ]
            if rotting { columns.append(.init(localized("cli.column.rotting"), max: 8, right: true)) }
            columns.append(.init(localized("cli.column.requirements"), max: 60, min: 8))
            var table = Table(columns)
            for (index, stage) in stages.enumerated() {
                var cells: [String] = [
                    String(index + 1), String(stage.id.rawValue), stage.name, stage.probability.description,
                    localized(stage.changesProbabilityAutomatically ? "cli.yes" : "cli.no"), stage.outcome.name(in: session.language),
                    stage.isFolded ? localized("cli.yes") : "",
                    stage.scope.team.flatMap { catalog.team($0)?.name } ?? localized("cli.stage.allTeams"), String(figures[stage.id]?.count ?? 0),
                ]
                if rotting { cells.append(stage.rottingDays.map { localized("cli.stage.days", $0) } ?? "") }
                cells.append(stage.requirements.split(separator: "\n").first.map(String.init) ?? "")
                table.add(cells)
            }
            table.finish()
            if stages.isEmpty { Console.out(localized("cli.stage.thePipelineHasNoStages", team.name)) }
        }
    }

    struct Add: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stage.addAStageAtThe"),
            discussion: localized("cli.stage.aStageIsSharedBy")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.stage.theStageSNameUnique"))) var name: String
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.stage.successProbabilityToUpTo"), valueName: "percent")) var probability: String?
        @Option(help: ArgumentHelp(localized("cli.stage.option.requirements"), valueName: "text")) var requirements: String?
        @Option(help: ArgumentHelp(localized("cli.stage.option.teamAdd"), valueName: "team")) var team: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.stage.basedPositionInTheTeam"), valueName: "n")) var position: String?
        // Optional, so that ArgumentParser's help adds no English "(default: --open)"; open
        // is the default all the same, and --open's help says so.
        @Flag(exclusivity: .exclusive) var outcome: OutcomeFlag?
        @Flag(name: .customLong("no-auto-probability"), help: ArgumentHelp(localized("cli.stage.dealsEnteringTheStageKeep"))) var manualProbability = false
        @Flag(help: ArgumentHelp(localized("cli.stage.showTheStageFoldedAs"))) var folded = false
        @Option(help: ArgumentHelp(localized("cli.stage.option.scope"), valueName: "shared|team"))
        var scope: String?

        func validate() throws { _ = try choice(scope, of: "--scope", as: ScopeOption.self) }

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            // A name of the guide's steps takes that step's probability, requirements and
            // outcome where no option gives them, as the board's suggestions do.
            let draft = StageDraft.named(
                name, probability: try probability.map { try Probability(parsing: $0) },
                requirements: requirements, outcome: outcome?.outcome, language: session.language,
                changesProbabilityAutomatically: !manualProbability, isFolded: folded,
                scope: try newStageScope(session, team))
            let (stage, hint) = try session.database.addStage(draft, in: team.id, at: try position.map(parsePosition))
            let rank = try session.database.pipeline(for: team.id).rank(of: stage.id) ?? 0
            Console.out(localized("cli.stage.addedStageAtPositionOf", stage.id, stage.name, stage.probability, rank, team.name))
            if let hint { Console.error(hint.message(in: session.language)) }
        }

        /// `--scope` as given; without it, as the board's `N`: shared for whoever manages
        /// every team, else the team's own (a manager of one team of several may add those).
        private func newStageScope(_ session: Session, _ team: Team) throws -> StageScope {
            switch try choice(scope, of: "--scope", as: ScopeOption.self) {
            case .team?: return .team(team.id)
            case .shared?: return .shared
            case nil: return try session.database.access().newStageScope(in: team, allTeams: try session.database.teams())
            }
        }
    }

    struct Edit: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stage.changeAStageSSettings"),
            discussion: localized("cli.stage.aNewProbabilityReachesThe")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.stage.theStageIdOrName"))) var stage: String
        @Option(help: ArgumentHelp(localized("cli.stage.option.teamLookup"), valueName: "team")) var team: String?
        @Option(help: ArgumentHelp(localized("cli.stage.aNewName"), valueName: "name")) var name: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.stage.successProbabilityTo"), valueName: "percent")) var probability: String?
        @Option(help: ArgumentHelp(localized("cli.stage.option.requirementsEdit"), valueName: "text")) var requirements: String?
        @Flag(exclusivity: .exclusive, help: ArgumentHelp(localized("cli.stage.foldOrUnfoldTheColumn"))) var folding: Folding?
        @Flag(exclusivity: .exclusive) var outcome: OutcomeFlag?
        @Flag(exclusivity: .exclusive, help: ArgumentHelp(localized("cli.stage.whetherDealsEnteringTheStage"))) var automatic: Automatic?
        @Option(help: ArgumentHelp(localized("cli.stage.option.scopeEdit"), valueName: "shared|team"))
        var scope: String?
        @Option(name: .customLong("rotting-days"), parsing: .unconditional,
                help: ArgumentHelp(localized("cli.stage.option.rottingDays"), valueName: "days|off"))
        var rottingDays: String?

        enum Folding: String, EnumerableFlag { case fold, unfold }
        enum Automatic: String, EnumerableFlag {
            case autoProbability, noAutoProbability
        }

        func validate() throws { _ = try choice(scope, of: "--scope", as: ScopeOption.self) }

        func run() throws {
            let session = try global.open()
            let context = session.context()
            let scope = try choice(scope, of: "--scope", as: ScopeOption.self)
            let probability = try probability.map { try Probability(parsing: $0) }
            // `.some(nil)`: rotting turned off.
            let rotting: Int?? = try rottingDays.map { try Stage.rottingDays(parsing: $0, language: session.language) }
            let edited = try session.database.inOneTransaction { store in
                let team = try self.team.map { try store.team($0) } ?? store.currentTeam(for: session.database.user)
                let stage = try store.pipeline(for: team.id).resolveStage(self.stage)
                let edit = StageEdit(
                    name: name, probability: probability, requirements: requirements,
                    isFolded: folding.map { $0 == .fold }, outcome: outcome?.outcome,
                    changesProbabilityAutomatically: automatic.map { $0 == .autoProbability },
                    scope: scope.map { $0 == .team ? .team(team.id) : .shared }, rottingDays: rotting)
                return try store.editStage(stage.id, edit, context: context)
            }
            Console.out(localized("cli.stage.updatedStage", edited.id, edited.name, edited.probability, edited.outcome.name(in: session.language)))
            if rottingDays != nil {
                Console.out(edited.rottingDays.map { Localizer(session.language).plural("cli.stage.rotsAfter", $0, edited.name) } ?? localized("cli.stage.neverRots", edited.name))
            }
        }
    }

    struct Move: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stage.reorderAStageToA"),
            discussion: localized("cli.stage.reorderingASharedStageReorders")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.stage.theStageIdOrName"))) var stage: String
        @Option(help: ArgumentHelp(localized("cli.stage.option.teamPositions"), valueName: "team")) var team: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(localized("cli.stage.theBasedPositionToMove"), valueName: "n")) var position: String?
        @Option(help: ArgumentHelp(localized("cli.stage.placeItJustBeforeThis"), valueName: "stage")) var before: String?
        @Option(help: ArgumentHelp(localized("cli.stage.placeItJustAfterThis"), valueName: "stage")) var after: String?

        func validate() throws {
            let given = [position, before, after].compactMap { $0 }.count
            guard given == 1 else { throw ValidationError(localized("cli.stage.giveExactlyOneOfPosition")) }
        }

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let pipeline = try session.database.pipeline(for: team.id)
            let stage = try pipeline.resolveStage(self.stage)
            let placement: StagePlacement
            if let position {
                placement = .position(try parsePosition(position))
            } else if let before {
                placement = .before(try pipeline.resolveStage(before).id)
            } else {
                placement = .after(try pipeline.resolveStage(after ?? "").id)
            }
            let reordered = try session.database.moveStage(stage.id, in: team.id, to: placement)
            Console.out(localized("cli.stage.movedStageToPosition", stage.name, reordered.rank(of: stage.id) ?? 0)
                        + reordered.stages.map(\.name).joined(separator: " → "))
        }
    }

    struct Remove: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stage.removeAStage"),
            discussion: localized("cli.stage.refusedWhileAnyOpportunityArchived")) }
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp(localized("cli.stage.theStageIdOrName"))) var stage: String
        @Option(help: ArgumentHelp(localized("cli.stage.option.teamLookup"), valueName: "team")) var team: String?
        @Option(name: .customLong("move-to"), help: ArgumentHelp(localized("cli.stage.theStageThatTakesIts"), valueName: "stage"))
        var moveTo: String?

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let pipeline = try session.database.pipeline(for: team.id)
            let stage = try pipeline.resolveStage(self.stage)
            let destination = try moveTo.map { try pipeline.resolveStage($0) }
            let teams = try session.database.teams()
            let moved = try session.database.removeStage(stage.id, movingTo: destination?.id, context: session.context()).moved.count
            if let destination, moved > 0 {
                Console.out(localized("cli.stage.removedMoving", stage.id, stage.name,
                                      Localizer(session.language).plural("count.opportunity", moved), destination.name))
            } else {
                Console.out(localized("cli.stage.removed", stage.id, stage.name))
            }
            // A shared stage was every team's: say so, since --team named only one.
            if stage.scope == .shared, teams.count > 1 {
                Console.out(localized("cli.stage.removedShared", teams.map(\.name).joined(separator: ", ")))
            }
        }
    }

    struct Suggest: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: localized("cli.stage.suggestTheStagesThatWould")) }
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp(localized("cli.option.team"), valueName: "team")) var team: String?
        @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let team = try session.team(team)
            let suggestions = StageTemplate.suggestions(completing: try session.database.pipeline(for: team.id).stages)
            if json {
                Console.out(JSONValue.array(suggestions.map { step in
                    .object([
                        ("name", .string(step.name(in: session.language))), ("name_en", .string(step.english)),
                        ("name_vi", .string(step.vietnamese)), ("probability", .number(step.probability.decimalString)),
                        ("outcome", .string(step.outcome.rawValue)),
                    ])
                }).rendered())
                return
            }
            if suggestions.isEmpty {
                Console.out(localized("cli.stage.thePipelineAlreadyHasEvery", team.name))
                return
            }
            var table = Table([.init(localized("cli.column.stage"), max: 24, min: 10), .init(localized("cli.column.probability"), max: 6, right: true), .init(localized("cli.column.outcome"), max: 7), .init(localized("cli.column.otherLanguage"), max: 24, min: 10)])
            for step in suggestions {
                let other = session.language == .vietnamese ? step.english : step.vietnamese
                table.add([step.name(in: session.language), step.probability.description, step.outcome.name(in: session.language), other])
            }
            table.finish()
        }
    }
}

/// A 1-based position typed by a user.
func parsePosition(_ text: String) throws(PipelineError) -> Int {
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else { throw .invalidPosition(text) }
    return value
}
