/// The guide's six-stage sales process: the default pipeline of a fresh database and the
/// template that stage suggestions complete a pipeline from.
public enum StageTemplate {
    /// One step of the template, named in both languages.
    public struct Step: Hashable, Sendable {
        public let english: String
        public let vietnamese: String
        public let probability: Probability
        public let outcome: StageOutcome
        public let englishRequirements: String
        public let vietnameseRequirements: String
        /// Other wordings the guide uses for the same step.
        public let synonyms: [String]

        public func name(in language: Language) -> String {
            language == .vietnamese ? vietnamese : english
        }

        public func requirements(in language: Language) -> String {
            language == .vietnamese ? vietnameseRequirements : englishRequirements
        }

        /// Whether a stage called `name` already plays this step: by either language's name
        /// or a synonym, ignoring case and accents.
        public func matches(_ name: String) -> Bool {
            let key = TextInput.searchKey(name)
            return ([english, vietnamese] + synonyms).contains { TextInput.searchKey($0) == key }
        }
    }

    public static let steps: [Step] = [
        Step(english: "New", vietnamese: "Mới", probability: Probability(uncheckedBasisPoints: 500), outcome: .open,
             englishRequirements: "Received from lead management or a mass-calling campaign; the customer's interest is not confirmed yet.",
             vietnameseRequirements: "Cơ hội nhận từ bộ phận quản lý đối tượng hoặc chiến dịch gọi điện đại trà; khách hàng chưa xác nhận quan tâm.",
             synonyms: []),
        Step(english: "Qualified", vietnamese: "Chất lượng", probability: Probability(uncheckedBasisPoints: 1500), outcome: .open,
             englishRequirements: "Business needs, system flows, budget and expected timing are understood.",
             vietnameseRequirements: "Đã nắm rõ nghiệp vụ, luồng hệ thống, ngân sách và thời gian triển khai dự kiến.",
             synonyms: []),
        Step(english: "Proposition", vietnamese: "Đề xuất", probability: Probability(uncheckedBasisPoints: 5000), outcome: .open,
             englishRequirements: "The prospect has received a quotation.",
             vietnameseRequirements: "Đối tượng tiềm năng đã nhận báo giá.",
             synonyms: []),
        Step(english: "Negotiation", vietnamese: "Thương lượng", probability: Probability(uncheckedBasisPoints: 7500), outcome: .open,
             englishRequirements: "The price is being negotiated.",
             vietnameseRequirements: "Đang thương thảo về chi phí.",
             synonyms: ["Đàm phán"]),
        Step(english: "Won", vietnamese: "Chốt được cơ hội", probability: .certain, outcome: .won,
             englishRequirements: "The prospect accepted the quotation and placed the order; they are now a customer.",
             vietnameseRequirements: "Khách hàng xác nhận báo giá và đặt hàng; họ đã là khách hàng của bạn.",
             synonyms: ["Chốt cơ hội kinh doanh", "Chốt được cơ hội bán hàng"]),
        Step(english: "Lost", vietnamese: "Không chốt được", probability: .zero, outcome: .lost,
             englishRequirements: "The prospect is no longer interested in your products or services.",
             vietnameseRequirements: "Khách hàng không còn quan tâm đến sản phẩm và dịch vụ của bạn.",
             synonyms: ["Đóng cơ hội kinh doanh vì không thành công", "Không chốt được cơ hội bán hàng"]),
    ]

    /// The step of the guide a stage called `name` plays, if any (see `Step.matches`).
    public static func step(named name: String) -> Step? {
        steps.first { $0.matches(name) }
    }

    /// The steps a pipeline lacks, in template order: a pipeline holding only New and
    /// Qualified is offered Proposition, Negotiation, Won and Lost.
    public static func suggestions(completing stages: [Stage]) -> [Step] {
        steps.filter { step in !stages.contains { step.matches($0.name) } }
    }

    /// The name of a fresh database's first team.
    public static func defaultTeamName(in language: Language) -> String {
        language == .vietnamese ? "Bán hàng" : "Sales"
    }

    /// The currency a fresh database uses when an amount names none.
    public static func defaultCurrency(in language: Language) -> CurrencyCode {
        language == .vietnamese ? .vnd : .usd
    }
}
