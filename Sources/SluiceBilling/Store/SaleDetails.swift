import SluiceGenesis

/// What an attempt sends, built from its row; the IBAN lives only here and in the target table.
public typealias SaleDetails = SDDSale
