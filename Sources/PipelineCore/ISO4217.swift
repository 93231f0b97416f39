/// The active currency codes of ISO 4217 ("list one") and the digits of their minor unit.
///
/// A literal table, because nothing on Linux gives it: Foundation's
/// `Locale.commonISOCurrencyCodes` and `Locale.Currency.isoCurrencies` come from ICU and mix
/// in withdrawn codes (HRK, VEF), and a currency formatter's fraction digits are ICU's
/// practical ones, not the standard's minor unit (IQD has 3, ICU says 0 or 2).
///
/// As of the amendments to 2026: XCG replaced ANG (2025), ZWG replaced ZWL (2024), SLE
/// replaced SLL, BGN went with Bulgaria's euro (2026), HRK with Croatia's (2023), CUC with
/// Cuba's unification (2021). Funds and metals without a minor unit (XAU, XDR, XXX…) are not
/// amounts a deal is priced in and are left out.
enum ISO4217 {
    static let minorDigits: [String: Int] = {
        var table: [String: Int] = [:]
        for code in """
            AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
            CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP
            GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT
            LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
            NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD
            SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS
            VED VES WST XCD XCG YER ZAR ZMW ZWG
            """.split(whereSeparator: \.isWhitespace) { table[String(code)] = 2 }
        for code in ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                     "VND", "VUV", "XAF", "XOF", "XPF"] { table[code] = 0 }
        for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] { table[code] = 3 }
        for code in ["CLF", "UYW"] { table[code] = 4 }
        return table
    }()

    /// Codes ISO 4217 lists that are not in `minorDigits`: those withdrawn ("list three":
    /// HRK, VEF, DEM…; right when a deal was stored in them) and the funds, metals and
    /// special codes (XAU, XDR, XXX…). A database or a backup may hold them; a code outside
    /// both lists ("ZZZ", "USX") was never a currency, and a restore refuses it.
    static let listedOtherwise: Set<String> = Set("""
        ADP AFA ALK ANG AOK AON AOR ARA ARP ARY ATS AYM AZM BAD BEC BEF BEL BGJ BGK BGL BGN BOP BRB BRC BRE
        BRN BRR BUK BYB BYR CHC CSD CSJ CSK CUC CYP DDM DEM ECS ECV EEK ESA ESB ESP FIM FRF GEK GHC GHP GNE
        GNS GQE GRD GWE GWP HRD HRK IEP ILP ILR ISJ ITL LAJ LSM LTL LTT LUC LUF LUL LVL LVR MGF MLF MRO MTL
        MTP MVQ MXP MZE MZM NIC NLG PEH PEI PES PLZ PTE RHD ROK ROL RUR SDD SDP SIT SKK SLL SRG STD SUR TJR
        TMM TPE TRL UAK UGS UGW USS UYN UYP VEB VEF VNC XEU XFO XFU XRE YDD YUD YUM YUN ZAL ZMK ZRN ZRZ ZWC
        ZWD ZWL ZWN ZWR
        """.split(whereSeparator: \.isWhitespace).map(String.init)).union(units)

    /// The codes ISO 4217 gives metals (XAU gold), funds, units of account and tests: codes,
    /// but no currency a deal is priced in, so a typed one is refused with that said.
    static let units: Set<String> = Set("""
        XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX
        """.split(whereSeparator: \.isWhitespace).map(String.init))
}
