import PipelineCore
import TerminalCore

/// The mouse, where the terminal reports it: click to focus, drag a card or a header,
/// wheel to scroll a column, hover a header for its requirements.
enum BoardMouse {
    enum Target: Hashable {
        case header(Stage.ID)
        case card(Stage.ID, index: Int)
        /// Below a column's cards: landing at its end.
        case column(Stage.ID)
    }

    /// What lies under `point` on the pipeline view.
    static func target(at point: Point, in state: BoardState) -> Target? {
        let layout = BoardLayout.columns(of: state)
        guard let slot = layout.slots.first(where: { point.x >= $0.x && point.x < $0.x + $0.width }) else { return nil }
        if point.y >= 1 && point.y < BoardLayout.cardsTop { return .header(slot.stage) }
        guard point.y >= BoardLayout.cardsTop, point.y < state.size.rows - 1 else { return nil }
        let index = (point.y - BoardLayout.cardsTop) / (BoardLayout.cardHeight + BoardLayout.cardGap)
        let count = state.columns[slot.stage]?.cards.count ?? 0
        return index < count ? .card(slot.stage, index: index) : .column(slot.stage)
    }

    static func handle(_ event: MouseEvent, _ state: inout BoardState) -> [BoardEffect] {
        guard state.view == .pipeline else { return [] }
        switch event {
        case .press(let point):
            guard case .browsing = state.mode, let target = target(at: point, in: state) else { return [] }
            switch target {
            case .header(let stage), .column(let stage):
                state.focus = .header(stage)
            case .card(let stage, let index):
                guard let card = state.columns[stage]?.cards[index] else { return [] }
                state.focus = .card(stage, card.id)
            }
            if let focus = state.focus { state.mouseDrag = MouseDrag(focus: focus, start: point, moved: false) }
            return []
        case .move(let point):
            guard var drag = state.mouseDrag else {
                // Hovering: a header shows its requirements.
                if case .header(let stage)? = target(at: point, in: state) { state.hoveredStage = stage } else { state.hoveredStage = nil }
                return []
            }
            drag.moved = drag.moved || point != drag.start
            state.mouseDrag = drag
            if drag.moved, let refused = refusedDrag(drag, &state) { return refused }
            preview(drag, at: point, &state)
            return []
        case .release(let point):
            guard let drag = state.mouseDrag else { return [] }
            state.mouseDrag = nil
            guard drag.moved || point != drag.start else { return [] }
            if let refused = refusedDrag(drag, &state) { return refused }
            preview(drag, at: point, &state)
            switch state.mode {
            case .carryingCard, .carryingColumn:
                return BoardReducer.handle(.enter, &state)
            default:
                return []
            }
        case .wheelUp(let point), .wheelDown(let point):
            guard case .browsing = state.mode, let target = target(at: point, in: state) else { return [] }
            let stage: Stage.ID
            switch target {
            case .header(let id), .column(let id), .card(let id, _): stage = id
            }
            guard let window = state.columns[stage], let first = window.cards.first, let last = window.cards.last else { return [] }
            if case .wheelUp = event {
                return window.hasMoreAbove ? [.loadWindow(stage, .before(last.cursor(in: state.order)), focus: .unchanged)] : []
            }
            return window.hasMoreBelow ? [.loadWindow(stage, .after(first.cursor(in: state.order)), focus: .unchanged)] : []
        }
    }

    /// What a drag the user may not make does instead, asked as it starts to move, as Space
    /// asks: it ends there, the status line saying why; `nil` when they may.
    static func refusedDrag(_ drag: MouseDrag, _ state: inout BoardState) -> [BoardEffect]? {
        switch state.mode {
        case .carryingCard, .carryingColumn: return nil
        default: break
        }
        let refusal: AccessRefusal?
        switch drag.focus {
        case .card(let stage, let id):
            refusal = state.columns[stage]?.cards.first { $0.id == id }.flatMap { state.refusalToChange($0) }
        case .header(let stage):
            refusal = state.refusalToChangeStage(state.stage(stage))
        }
        guard let refusal else { return nil }
        state.mouseDrag = nil
        return state.refuse(refusal)
    }

    /// Shows a drag as a carry: the card or column drawn where it would land.
    static func preview(_ drag: MouseDrag, at point: Point, _ state: inout BoardState) {
        guard let target = target(at: point, in: state) else { return }
        switch drag.focus {
        case .card(let origin, let cardID):
            guard let card = state.columns[origin]?.cards.first(where: { $0.id == cardID }) ?? {
                if case .carryingCard(let carried) = state.mode { return carried.card }
                return nil
            }() else { return }
            let stage: Stage.ID
            var index: Int
            switch target {
            case .header(let id): stage = id; index = 0
            case .card(let id, let at): stage = id; index = at
            case .column(let id): stage = id; index = Int.max
            }
            let landing = BoardReducer.landingCards(in: stage, carrying: cardID, state)
            index = min(index, landing.count)
            state.mode = .carryingCard(CarriedCard(card: card, origin: origin, target: stage, index: index))
            state.focus = .card(stage, cardID)
        case .header(let stage):
            let over: Stage.ID
            switch target {
            case .header(let id), .column(let id), .card(let id, _): over = id
            }
            var order = state.stages.map(\.id)
            guard let from = order.firstIndex(of: stage), let to = order.firstIndex(of: over) else { return }
            order.remove(at: from)
            order.insert(stage, at: to)
            state.mode = .carryingColumn(CarriedColumn(stage: stage, order: order))
        }
    }
}
