import Testing

@testable import SluicePipeline
@testable import SluiceServer

struct BucketEventRouteTests {
    @Test func theTokenMustMatchExactly() {
        #expect(BucketEventRoute.sameToken("Bearer s3cret", expected: "Bearer s3cret"))
        #expect(!BucketEventRoute.sameToken("Bearer s3cre", expected: "Bearer s3cret"), "a prefix")
        #expect(!BucketEventRoute.sameToken("Bearer s3crett", expected: "Bearer s3cret"), "longer")
        #expect(!BucketEventRoute.sameToken("Bearer S3cret", expected: "Bearer s3cret"))
        #expect(!BucketEventRoute.sameToken(nil, expected: "Bearer s3cret"))
        #expect(!BucketEventRoute.sameToken("", expected: "Bearer s3cret"))
    }

    @Test func oneVersionOfOneObjectForOnePipelineIsOneKey() {
        let drop = DroppedObject(pipeline: "debtors", bucket: "sluice", key: "in/a b.csv", etag: "e1", size: 3)
        var changed = drop
        changed.etag = "e2"
        var other = drop
        other.pipeline = "billing"
        #expect(DropIntake.versionKey(drop) == "object:debtors:sluice/in/a b.csv@e1")
        #expect(Set([drop, changed, other].map(DropIntake.versionKey)).count == 3)
    }
}
