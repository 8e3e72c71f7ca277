import CadreflowDomain
import CadreflowProtocol
import CadreflowRules

/// How domain records are shown as table rows.
enum TableRows {
    static let unitColumns = ["code", "name", "parent", "kind", "locality", "path", "valid_from", "valid_to"]

    static func unit(_ unit: UnitRecord) -> [String] {
        [unit.code, unit.name, unit.parent ?? "", unit.kind, unit.locality ?? "", unit.path, unit.validFrom?.description ?? "", unit.validTo?.description ?? ""]
    }

    static let cadreColumns = ["code", "name", "unit", "position", "level", "hometown", "born", "sex", "party_since", "planning", "status"]

    static func cadre(_ cadre: CadreRecord) -> [String] {
        [cadre.code, cadre.fullName, cadre.unit, cadre.position ?? "", cadre.level, cadre.hometown ?? "", cadre.born?.description ?? "",
         cadre.sex ?? "", cadre.partySince?.description ?? "", YesNo.text(cadre.planning), cadre.status]
    }

    static let cadreDetailColumns = cadreColumns + ["leave_from", "leave_until", "pregnant", "child_born", "retires_on"]

    static func cadreDetail(_ cadre: CadreRecord) -> [String] {
        self.cadre(cadre) + [cadre.leaveFrom?.description ?? "", cadre.leaveUntil?.description ?? "", YesNo.text(cadre.pregnant),
                             cadre.childBorn?.description ?? "", cadre.retiresOn?.description ?? ""]
    }
}
