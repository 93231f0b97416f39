import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineStore

/// `pipeline stage …`: shape a team's pipeline.
struct StageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stage",
        abstract: "List, add, edit, reorder and remove the stages of a pipeline.",
        discussion: "Stage commands act on the current team's pipeline (the team setting) unless --team names another.",
        subcommands: [List.self, Add.self, Edit.self, Move.self, Remove.self, Suggest.self])

    enum OutcomeFlag: String, EnumerableFlag {
        case open, won, lost

        static func help(for value: OutcomeFlag) -> ArgumentHelp? {
            switch value {
            case .open: return "An open stage: deals are still in play."
            case .won: return "A won stage: its deals are at 100%."
            case .lost: return "A lost stage: its deals are at 0%."
            }
        }

        var outcome: StageOutcome { StageOutcome(rawValue: rawValue) ?? .open }
    }

    enum ScopeOption: String, ExpressibleByArgument, CaseIterable {
        case shared, team
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a pipeline's stages in order.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The team (default: the team setting).", valueName: "team")) var team: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let session = try global.open(forWriting: false)
            let team = try session.team(team)
            let catalog = try session.database.catalog()
            let figures = try session.database.stageFigures(team: team.id)
            let stages = catalog.pipeline(for: team).stages
            if json {
                Console.out(JSONValue.array(stages.enumerated().map { index, stage in
                    Present.stage(stage, position: index + 1, catalog: catalog, figures: figures[stage.id])
                }).rendered())
                return
            }
            var table = Table([
                .init("POS", max: 3, right: true), .init("ID", max: 5, right: true), .init("STAGE", max: 24, min: 10),
                .init("PROB", max: 6, right: true), .init("AUTO", max: 4), .init("OUTCOME", max: 7), .init("FOLD", max: 4),
                .init("TEAM", max: 12, min: 4), .init("DEALS", max: 7, right: true), .init("REQUIREMENTS", max: 60, min: 8),
            ])
            for (index, stage) in stages.enumerated() {
                table.add([
                    String(index + 1), String(stage.id.rawValue), stage.name, stage.probability.description,
                    stage.changesProbabilityAutomatically ? "yes" : "no", stage.outcome.rawValue, stage.isFolded ? "yes" : "",
                    stage.scope.team.flatMap { catalog.team($0)?.name } ?? "all", String(figures[stage.id]?.count ?? 0),
                    stage.requirements.split(separator: "\n").first.map(String.init) ?? "",
                ])
            }
            table.finish()
            if stages.isEmpty { Console.out("The \(team.name) pipeline has no stages; add one with: pipeline stage add NAME") }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a stage at the end of the pipeline, or at --position.",
            discussion: "A stage is shared by every team unless --scope team makes it the team's own. More than 6 stages make a pipeline hard to read: the stage is added and a hint printed.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stage's name (unique in every pipeline that shows it, ignoring case).") var name: String
        @Option(parsing: .unconditional, help: ArgumentHelp("Success probability, 0 to 100 (up to two decimals).", valueName: "percent")) var probability: String?
        @Option(help: ArgumentHelp("What a deal needs to be in this stage (may span lines).", valueName: "text")) var requirements: String?
        @Option(help: ArgumentHelp("The team whose pipeline to add to (default: the team setting).", valueName: "team")) var team: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("1-based position in the team's pipeline (default: last).", valueName: "n")) var position: String?
        @Flag(exclusivity: .exclusive) var outcome: OutcomeFlag = .open
        @Flag(name: .customLong("no-auto-probability"), help: "Deals entering the stage keep their probability.") var manualProbability = false
        @Flag(help: "Show the stage folded (as a narrow strip) on the board.") var folded = false
        @Option(help: ArgumentHelp("shared: every team's pipeline (default); team: only this team's.", valueName: "shared|team"))
        var scope: ScopeOption = .shared

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let draft = StageDraft(
                name: name, probability: try probability.map { try Probability(parsing: $0) },
                requirements: requirements ?? "", changesProbabilityAutomatically: !manualProbability,
                isFolded: folded, outcome: outcome.outcome, scope: scope == .team ? .team(team.id) : .shared)
            let (stage, hint) = try session.database.addStage(draft, in: team.id, at: try position.map(parsePosition))
            let rank = try session.database.pipeline(for: team.id).rank(of: stage.id) ?? 0
            Console.out("Added stage \(stage.id) '\(stage.name)' (\(stage.probability)) at position \(rank) of the \(team.name) pipeline.")
            if let hint { Console.error(hint.message) }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a stage's settings.",
            discussion: "A new probability reaches the deals in the stage whose probability follows it; probabilities set by hand stay.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stage (id or name).") var stage: String
        @Option(help: ArgumentHelp("The team whose pipeline the stage is looked up in (default: the team setting).", valueName: "team")) var team: String?
        @Option(help: ArgumentHelp("A new name.", valueName: "name")) var name: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("Success probability, 0 to 100.", valueName: "percent")) var probability: String?
        @Option(help: ArgumentHelp("What a deal needs to be in this stage (may span lines; empty clears).", valueName: "text")) var requirements: String?
        @Flag(exclusivity: .exclusive, help: "Fold or unfold the column on the board.") var folding: Folding?
        @Flag(exclusivity: .exclusive) var outcome: OutcomeFlag?
        @Flag(exclusivity: .exclusive, help: "Whether deals entering the stage take its probability.") var automatic: Automatic?
        @Option(help: ArgumentHelp("shared: every team's pipeline; team: only this team's.", valueName: "shared|team"))
        var scope: ScopeOption?

        enum Folding: String, EnumerableFlag { case fold, unfold }
        enum Automatic: String, EnumerableFlag {
            case autoProbability, noAutoProbability
        }

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let stage = try session.database.pipeline(for: team.id).resolveStage(self.stage)
            let edit = StageEdit(
                name: name, probability: try probability.map { try Probability(parsing: $0) }, requirements: requirements,
                isFolded: folding.map { $0 == .fold }, outcome: outcome?.outcome,
                changesProbabilityAutomatically: automatic.map { $0 == .autoProbability },
                scope: scope.map { $0 == .team ? .team(team.id) : .shared })
            let edited = try session.database.editStage(stage.id, edit, expectedVersion: stage.version, context: session.context())
            Console.out("Updated stage \(edited.id) '\(edited.name)' (\(edited.probability), \(edited.outcome.rawValue)).")
        }
    }

    struct Move: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reorder a stage: to a position, or before or after another stage.",
            discussion: "Reordering a shared stage reorders it in every team's pipeline.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stage (id or name).") var stage: String
        @Option(help: ArgumentHelp("The team whose pipeline the positions count in (default: the team setting).", valueName: "team")) var team: String?
        @Option(parsing: .unconditional, help: ArgumentHelp("The 1-based position to move to.", valueName: "n")) var position: String?
        @Option(help: ArgumentHelp("Place it just before this stage.", valueName: "stage")) var before: String?
        @Option(help: ArgumentHelp("Place it just after this stage.", valueName: "stage")) var after: String?

        func validate() throws {
            let given = [position, before, after].compactMap { $0 }.count
            guard given == 1 else { throw ValidationError("give exactly one of --position, --before and --after") }
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
            Console.out("Moved stage '\(stage.name)' to position \(reordered.rank(of: stage.id) ?? 0): "
                        + reordered.stages.map(\.name).joined(separator: " → "))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a stage.",
            discussion: "Refused while any opportunity (archived ones included) is in it, unless --move-to names the stage that takes them all.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The stage (id or name).") var stage: String
        @Option(help: ArgumentHelp("The team whose pipeline the stage is looked up in (default: the team setting).", valueName: "team")) var team: String?
        @Option(name: .customLong("move-to"), help: ArgumentHelp("The stage that takes its opportunities.", valueName: "stage"))
        var moveTo: String?

        func run() throws {
            let session = try global.open()
            let team = try session.team(team)
            let pipeline = try session.database.pipeline(for: team.id)
            let stage = try pipeline.resolveStage(self.stage)
            let destination = try moveTo.map { try pipeline.resolveStage($0) }
            let moved = try session.database.removeStage(stage.id, movingTo: destination?.id, context: session.context())
            var line = "Removed stage \(stage.id) '\(stage.name)'"
            if let destination, moved > 0 { line += "; moved \(moved) opportunities to '\(destination.name)'" }
            Console.out(line + ".")
        }
    }

    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Suggest the stages that would complete a pipeline from the guide's six-stage process.")
        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("The team (default: the team setting).", valueName: "team")) var team: String?
        @Flag(help: "Print JSON.") var json = false

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
                Console.out("The \(team.name) pipeline already has every stage of the guide's process.")
                return
            }
            var table = Table([.init("STAGE", max: 24, min: 10), .init("PROB", max: 6, right: true), .init("OUTCOME", max: 7), .init(session.language == .vietnamese ? "ENGLISH" : "VIETNAMESE", max: 24, min: 10)])
            for step in suggestions {
                let other = session.language == .vietnamese ? step.english : step.vietnamese
                table.add([step.name(in: session.language), step.probability.description, step.outcome.rawValue, other])
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
