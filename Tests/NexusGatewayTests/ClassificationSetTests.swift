import NexusGateway
import Testing

@Suite("ClassificationSet")
struct ClassificationSetTests {
    @Test("membership", arguments: [
        ([DataClassification](), [DataClassification]()),
        ([.public], [.public]),
        ([.public, .internal], [.public, .internal]),
        ([.public, .internal, .confidential], [.public, .internal, .confidential]),
        ([.restricted], [.restricted]),
        ([.confidential, .public], [.public, .confidential]),
        ([.internal, .internal, .internal], [.internal]),
        (DataClassification.allCases, DataClassification.allCases),
    ])
    func membership(elements: [DataClassification], members: [DataClassification]) {
        let set = ClassificationSet(elements)
        for c in DataClassification.allCases {
            #expect(set.contains(c) == elements.contains(c))
        }
        #expect(set.members == members)
    }

    @Test("array literal, sequence and bits agree")
    func literalAndBits() {
        let literal: ClassificationSet = [.public, .restricted]
        #expect(literal == ClassificationSet([.restricted, .public]))
        #expect(literal.bits == 0b1001)
        #expect(ClassificationSet([]).bits == 0)
        #expect(ClassificationSet(DataClassification.allCases).bits == 0b1111)
    }

    @Test("classifications have distinct bits and are ordered by sensitivity")
    func classificationOrder() {
        #expect(Set(DataClassification.allCases.map(\.bit)).count == 4)
        #expect(DataClassification.allCases.sorted() == [.public, .internal, .confidential, .restricted])
        #expect(DataClassification.public < .internal)
        #expect(DataClassification.confidential < .restricted)
        #expect(DataClassification(rawValue: "confidential") == .confidential)
    }
}
