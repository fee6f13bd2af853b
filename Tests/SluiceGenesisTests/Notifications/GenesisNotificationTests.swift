import SluiceGenesis
import Testing

struct GenesisNotificationTests {
    @Test func formFieldsDecodePlusAndPercentEscapes() {
        let form = FormFields(Array("a=1+2&b=%41%62%2B&c&d=%ZZ&a=last".utf8))
        #expect(form["a"] == "last")
        #expect(form["b"] == "Ab+")
        #expect(form["c"] == "")
        #expect(form["d"] == "%ZZ")
        #expect(form["missing"] == nil)
    }

    @Test func aNotificationReadsItsFieldsAndPrefersRcCode() throws {
        let body = "transaction_id=sl-1&unique_id=abc&transaction_type=sdd_sale&terminal_token=t&status=Chargebacked&event=chargeback"
            + "&amount=1234&currency=EUR&reason_code=MD06&rc_code=AC04&rc_description=Closed+account&signature=ff"
        let notification = try GenesisNotification(form: FormFields(Array(body.utf8)))
        #expect(notification.uniqueID == "abc" && notification.transactionID == "sl-1" && notification.status == "chargebacked")
        #expect(notification.reasonCode == "AC04" && notification.reasonDescription == "Closed account" && notification.amountMinor == 1234)
        #expect(notification.isChargeback)
    }

    @Test func aNotificationNeedsAUniqueIDASignatureAndAWholeAmount() {
        #expect(throws: GenesisNotification.Problem.missingField("unique_id")) { try GenesisNotification(form: FormFields(Array("signature=a".utf8))) }
        #expect(throws: GenesisNotification.Problem.missingField("signature")) { try GenesisNotification(form: FormFields(Array("unique_id=a".utf8))) }
        #expect(throws: GenesisNotification.Problem.invalidAmount("12.50")) {
            try GenesisNotification(form: FormFields(Array("unique_id=a&signature=b&amount=12.50".utf8)))
        }
    }

    @Test(arguments: GenesisSignature.Algorithm.allCases)
    func everySignatureLengthIsChecked(_ algorithm: GenesisSignature.Algorithm) {
        let signature = GenesisSignature.sign(uniqueID: "u-1", password: "secret", algorithm: algorithm)
        let notification = GenesisNotification(uniqueID: "u-1", status: "approved", signature: signature.uppercased())
        #expect(notification.isSigned(by: "secret"))
        #expect(!notification.isSigned(by: "other"))
    }
}
