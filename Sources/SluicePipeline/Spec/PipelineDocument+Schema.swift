import SluiceBilling
import SluiceStages
import SluiceValidation

extension PipelineDocument {
    /// Every key a pipeline file may have, and the kind of value it takes. A key that is not
    /// here is an error, never silently ignored. Keep it in step with the `CodingKeys` of
    /// `PipelineDocument`, `ValidationRules` and `ScreeningRules` (`PipelineSchemaTests`
    /// fails when they differ).
    static let schema: PipelineSchema = .section([
        .required("name", .text),
        .optional("source", .section([
            .optional("input", .text),
            .optional("format", .text),
            .optional("sheet", .text),
            .optional("xlsx", .section([
                .optional("max_sheet_bytes", .wholeNumber),
                .optional("max_compression_ratio", .wholeNumber),
                .optional("max_columns", .wholeNumber),
                .optional("max_cell_characters", .wholeNumber),
                .optional("max_shared_string_bytes", .wholeNumber),
            ])),
            .optional("delimiter", .text),
            .optional("encoding", .text),
            .optional("max_record_bytes", .wholeNumber),
        ])),
        .required("target", .section([
            .required("table", .text),
            .optional("connections", .wholeNumber),
            .optional("keep_raw", .boolean),
        ])),
        .optional("batch_size", .wholeNumber),
        .required("columns", .list(.section([
            .required("name", .text),
            .optional("aliases", .list(.text)),
            .optional("required", .boolean),
            .optional("type", .text),
        ]))),
        .optional("validation", validationSchema),
        .optional("dedup", .section([
            .optional("enabled", .boolean),
            .optional("key", .oneOrList(.text)),
        ])),
        .optional("screening", .section([
            .optional("enabled", .boolean),
            .optional("cooldown_days", .wholeNumber),
            .optional("checks", .list(.word(ScreeningRules.Check.allCases.map(\.rawValue), noun: "check"))),
        ])),
        .optional("error_budget", .section([
            .optional("max_rejected_ratio", .number),
            .optional("max_rejected_rows", .wholeNumber),
        ])),
        .optional("watch", .list(.section([
            .required("bucket", .text),
            .optional("prefix", .text),
            .optional("glob", .text),
        ]))),
        .optional("vop", vopSchema),
        .optional("billing", billingSchema),
        .optional("include", .oneOrList(.text)),
    ])

    /// The `billing:` section, decoded by `PipelineDocument.BillingDocument`.
    private static var billingSchema: PipelineSchema {
        .section([
            .optional("enabled", .boolean),
            .required("terminal", .text),
            .optional("notification_url", .text),
            .optional("usage", .text),
            .optional("currency", .text),
            .optional("rate_per_second", .number),
            .optional("max_in_flight", .wholeNumber),
            .optional("rows", .word(["unflagged", "all"], noun: "row selection")),
            .optional("start", .word(["on_completion", "manual"], noun: "start")),
            .optional("timeout_seconds", .number),
            .optional("max_sale_requests", .wholeNumber),
            .optional("columns", .keyedBy(BillingColumns().all.map(\.role), noun: "role", value: .text)),
            .optional("breaker", .section([
                .optional("window", .wholeNumber),
                .optional("min_calls", .wholeNumber),
                .optional("failure_rate", .number),
                .optional("cool_down_seconds", .number),
            ])),
            .optional("require_vop", .boolean),
        ])
    }

    /// The `vop:` section, decoded by `PipelineDocument.VOPDocument`.
    private static var vopSchema: PipelineSchema {
        let actions = VOPPolicy.Action.allCases.map(\.rawValue)
        return .section([
            .optional("enabled", .boolean),
            .optional("max_in_flight", .wholeNumber),
            .optional("rate_per_second", .number),
            .optional("burst", .wholeNumber),
            .optional("sampling_percent", .number),
            .optional("daily_budget", .wholeNumber),
            .optional("cache_ttl_days", .number),
            .optional("cache_not_possible_hours", .number),
            .optional("account_type", .word(["auto", "individual", "company"], noun: "account type")),
            .optional("account_type_column", .text),
            .optional("iban_column", .text),
            .optional("name_column", .text),
            .optional("first_name_column", .text),
            .optional("last_name_column", .text),
            .optional("max_pause_seconds", .number),
            .optional("policy", .section([
                .optional("close_match", .word(actions, noun: "action")),
                .optional("no_match", .word(actions, noun: "action")),
                .optional("not_possible", .word(actions, noun: "action")),
                .optional("unavailable", .word(VOPPolicy.UnavailableAction.allCases.map(\.rawValue), noun: "action")),
            ])),
            .optional("breaker", .section([
                .optional("window", .wholeNumber),
                .optional("min_calls", .wholeNumber),
                .optional("failure_rate", .number),
                .optional("cool_down_seconds", .number),
                .optional("max_cool_down_seconds", .number),
                .optional("probes", .wholeNumber),
            ])),
        ])
    }

    /// The `validation:` section, decoded by `ValidationRules.init(from:)`.
    private static var validationSchema: PipelineSchema {
        let roles = ValidationRole.allCases.map(\.rawValue)
        return .section([
            .optional("columns", .keyedBy(roles, noun: "role", value: .text)),
            .optional("required", .list(.word(roles, noun: "role"))),
            .optional("amount", .section([
                .optional("min", .number),
                .optional("max", .number),
                .optional("ambiguous_separator", .word(["reject", "thousands"], noun: "separator policy")),
            ])),
            .optional("currencies", .list(.text)),
            .optional("name_max_length", .wholeNumber),
            .optional("full_name_max_length", .wholeNumber),
            .optional("name_scripts", .list(.word(NameScript.allCases.map(\.rawValue), noun: "script"))),
            .optional("date_formats", .list(.text)),
            .optional("mandate_date_not_in_future", .boolean),
            .optional("sepa_only", .boolean),
            .optional("national_check_digits", .boolean),
            .optional("fill_country_from_iban", .boolean),
            .optional("encoding_columns", .list(.text)),
            .optional("characters", .word(NameCharacterPolicy.allCases.map(\.rawValue), noun: "character policy")),
        ])
    }
}
