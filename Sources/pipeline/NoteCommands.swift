import ArgumentParser
import Foundation
import PipelineCore
import PipelineExchange
import PipelineEngines
import PipelineStorage

extension OpportunityCommand {
    /// `pipeline opp note …`: notes on a deal's timeline (issue 13). `opp note DEAL TEXT` adds
    /// one (the default subcommand), `opp note remove ID` removes one.
    struct NoteCommand: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "note",
            abstract: localized("cli.note.abstract"),
            discussion: localized("cli.note.discussion"),
            subcommands: [Add.self, Remove.self],
            defaultSubcommand: Add.self) }

        struct Add: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.note.add.abstract")) }
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp(localized("cli.activity.argument.deal"))) var deal: String
            @Argument(help: ArgumentHelp(localized("cli.note.argument.text"))) var text: String
            @Flag(help: ArgumentHelp(localized("cli.option.json"))) var json = false

            func run() throws {
                let session = try global.open()
                let context = session.context()
                let (note, deal) = try session.database.inOneTransaction { store in
                    let deal = try store.dealOrLead(self.deal)
                    return (try store.addNote(to: deal.id, text: text, context: context), deal)
                }
                if json {
                    Console.out(Present.note(note).rendered())
                    return
                }
                let lines = note.text.split(separator: "\n", omittingEmptySubsequences: false)
                Console.out(localized("cli.note.added", note.id, deal.id, deal.title, note.author, note.at.display(in: session.language)))
                for line in lines { Console.out("    " + line) }
            }
        }

        struct Remove: ParsableCommand {
            static var configuration: CommandConfiguration { CommandConfiguration(abstract: localized("cli.note.remove.abstract")) }
            @OptionGroup var global: GlobalOptions
            @Argument(help: ArgumentHelp(localized("cli.note.argument.id"))) var note: String

            func run() throws {
                let session = try global.open()
                let id = try parseNoteID(note)
                try session.database.removeNote(id)
                Console.out(localized("cli.note.removed", id.rawValue))
            }
        }
    }
}

/// A note's id as typed: `7` or `#7`.
func parseNoteID(_ text: String) throws(PipelineError) -> DealNote.ID {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let digits = trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed
    guard digits.count <= 18, digits.allSatisfy(\.isASCII), let number = Int64(digits), number > 0 else { throw .unknownNote(text) }
    return DealNote.ID(number)
}

/// A timeline entry in words, for `opp show` (several lines when a note or a feedback has them).
struct TimelineText {
    let session: Session

    func describe(_ kind: TimelineEntry.Kind) -> String {
        func money(_ value: Money?) -> String { value.map(session.money) ?? "" }
        switch kind {
        case .created(let stage, let probability, let amount):
            return localized("cli.timeline.created", stage ?? localized("cli.timeline.noStage"),
                             probability?.description ?? "?", amount.map(session.money) ?? "?")
        case .stageChanged(let from, let to, let spent):
            let fromName = from ?? localized("cli.timeline.noStage"), toName = to ?? localized("cli.opp.removedStage")
            guard let spent else { return localized("cli.timeline.moved", fromName, toName) }
            return localized("cli.timeline.movedAfter", fromName, toName, duration(milliseconds: spent))
        case .probabilityChanged(let from, let to, let byHand):
            return localized(byHand ? "cli.timeline.probabilityByHand" : "cli.timeline.probabilityByStage", from.description, to.description)
        case .amountChanged(let from, let to):
            return localized("cli.timeline.amount", money(from), money(to))
        case .won: return localized("cli.timeline.won")
        case .lost(let reason):
            return reason.map { localized("cli.timeline.lostBecause", $0) } ?? localized("cli.timeline.lost")
        case .restored: return localized("cli.timeline.restored")
        case .archived: return localized("cli.timeline.archived")
        case .activityDone(let activity, let type, let summary, let feedback):
            let line = localized("cli.timeline.activityDone", activity.rawValue, type, summary)
            return feedback.isEmpty ? line : line + "\n" + localized("cli.timeline.feedback") + " " + feedback
        case .note(let id, let text):
            return localized("cli.timeline.note", id.rawValue) + "\n" + text
        }
    }

    /// `3 d 4 h`, `2 h 5 min`, `12 min`: how long a deal spent in a stage.
    func duration(milliseconds: Int64) -> String {
        let minutes = max(0, milliseconds) / 60_000
        let days = minutes / 1440, hours = minutes / 60 % 24
        if days > 0 { return localized("cli.duration.days", days, hours) }
        if hours > 0 { return localized("cli.duration.hours", hours, minutes % 60) }
        return localized("cli.duration.minutes", minutes)
    }
}
