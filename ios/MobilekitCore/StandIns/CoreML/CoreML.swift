// Stand-in for Core ML on Linux: the classes and calls the Core ML runner and the stateful LLM generator make,
// with the Swift signatures the iOS 18 SDK imports (CoreML.framework/Headers/*.h and
// Modules/CoreML.swiftmodule/arm64-apple-ios.swiftinterface; see StandIns/APPLE-SOURCES.txt). Nothing here runs.
// Objective-C protocols with optional members and `id` values are declared the way Swift sees them.
import CoreVideo
import Foundation

/// real: MLComputeUnits.h: typedef NS_ENUM(NSInteger, MLComputeUnits) {
public enum MLComputeUnits: Int, Sendable {
  /// real: MLComputeUnits.h: MLComputeUnitsCPUOnly = 0,
  case cpuOnly = 0
  /// real: MLComputeUnits.h: MLComputeUnitsCPUAndGPU = 1,
  case cpuAndGPU = 1
  /// real: MLComputeUnits.h: MLComputeUnitsAll = 2,
  case all = 2
  /// real: MLComputeUnits.h: MLComputeUnitsCPUAndNeuralEngine API_AVAILABLE(macos(13.0), ios(16.0), watchos(9.0), tvos(16.0)) = 3
  case cpuAndNeuralEngine = 3
}

/// real: MLFeatureType.h: typedef NS_ENUM(NSInteger, MLFeatureType) {
public enum MLFeatureType: Int, Sendable {
  /// real: MLFeatureType.h: MLFeatureTypeMultiArray = 5,
  case multiArray = 5
  /// real: MLFeatureType.h: MLFeatureTypeImage = 4,
  case image = 4
}

/// real: MLMultiArray.h: typedef NS_ENUM(NSInteger, MLMultiArrayDataType) {
public enum MLMultiArrayDataType: Int, Sendable {
  /// real: MLMultiArray.h: MLMultiArrayDataTypeDouble = 0x10000 | 64,
  case double = 65600
  /// real: MLMultiArray.h: MLMultiArrayDataTypeFloat32 = 0x10000 | 32,
  case float32 = 65568
  /// real: MLMultiArray.h: MLMultiArrayDataTypeFloat16 API_AVAILABLE(macos(12.0), ios(15.0), watchos(8.0), tvos(15.0)) = 0x10000 | 16,
  case float16 = 65552
  /// real: MLMultiArray.h: MLMultiArrayDataTypeInt32 = 0x20000 | 32,
  case int32 = 131104
}

/// real: MLModelConfiguration.h: @interface MLModelConfiguration : NSObject <NSCopying, NSSecureCoding>
public class MLModelConfiguration: NSObject {
  /// real: MLModelConfiguration.h: @property (readwrite) MLComputeUnits computeUnits;
  public var computeUnits: MLComputeUnits = .all
  /// real: NSObject.h: - (instancetype)init
  public override init() {}
}

/// real: MLMultiArrayConstraint.h: @interface MLMultiArrayConstraint : NSObject <NSSecureCoding>
public class MLMultiArrayConstraint: NSObject {
  /// real: MLMultiArrayConstraint.h: @property (readonly, nonatomic) NSArray<NSNumber *> *shape;
  public var shape: [NSNumber] { fatalError("stand-in") }
  /// real: MLMultiArrayConstraint.h: @property (readonly, nonatomic) MLMultiArrayDataType dataType;
  public var dataType: MLMultiArrayDataType { fatalError("stand-in") }
}

/// real: MLFeatureDescription.h: @interface MLFeatureDescription : NSObject<NSCopying, NSSecureCoding>
public class MLFeatureDescription: NSObject {
  /// real: MLFeatureDescription.h: @property (readonly, nonatomic) MLFeatureType type;
  public var type: MLFeatureType { fatalError("stand-in") }
  /// real: MLFeatureDescription+MLFeatureValueConstraint.h: @property (readonly, nullable, nonatomic) MLMultiArrayConstraint *multiArrayConstraint;
  public var multiArrayConstraint: MLMultiArrayConstraint? { fatalError("stand-in") }
}

/// real: MLModelDescription.h: @interface MLModelDescription : NSObject <NSSecureCoding>
public class MLModelDescription: NSObject {
  /// real: MLModelDescription.h: @property (readonly, nonatomic) NSDictionary<NSString *, MLFeatureDescription *> *inputDescriptionsByName;
  public var inputDescriptionsByName: [String: MLFeatureDescription] { fatalError("stand-in") }
  /// real: MLModelDescription.h: @property (readonly, nonatomic) NSDictionary<NSString *, MLFeatureDescription *> *outputDescriptionsByName;
  public var outputDescriptionsByName: [String: MLFeatureDescription] { fatalError("stand-in") }
}

/// real: MLMultiArray.h: @interface MLMultiArray : NSObject <NSSecureCoding>
public class MLMultiArray: NSObject {
  /// real: MLMultiArray.h: @property (readonly, nonatomic) void *dataPointer
  public var dataPointer: UnsafeMutableRawPointer { fatalError("stand-in") }
  /// real: MLMultiArray.h: @property (readonly, nonatomic) NSInteger count;
  public var count: Int { fatalError("stand-in") }
  /// real: MLMultiArray.h: @property (readonly, nonatomic) NSArray<NSNumber *> *shape;
  public var shape: [NSNumber] { fatalError("stand-in") }
  /// real: MLMultiArray.h: - (nullable instancetype)initWithShape:(NSArray<NSNumber *> *)shape dataType:(MLMultiArrayDataType)dataType error:(NSError **)error;
  public init(shape: [NSNumber], dataType: MLMultiArrayDataType) throws { fatalError("stand-in") }
  /// real: MLMultiArray.h: - (NSNumber *)objectAtIndexedSubscript:(NSInteger)idx;
  public subscript(idx: Int) -> NSNumber {
    get { fatalError("stand-in") }
    set { fatalError("stand-in") }
  }
}

/// real: MLFeatureValue.h: @interface MLFeatureValue : NSObject<NSCopying, NSSecureCoding>
public class MLFeatureValue: NSObject {
  /// real: MLFeatureValue.h: @property (readonly, nullable, nonatomic) MLMultiArray *multiArrayValue;
  public var multiArrayValue: MLMultiArray? { fatalError("stand-in") }
  /// real: MLFeatureValue.h: + (instancetype)featureValueWithMultiArray:(MLMultiArray *)value;
  public init(multiArray value: MLMultiArray) { fatalError("stand-in") }
  /// real: MLFeatureValue.h: + (instancetype)featureValueWithPixelBuffer:(CVPixelBufferRef)value;
  public init(pixelBuffer value: CVPixelBuffer) { fatalError("stand-in") }
}

/// real: MLFeatureProvider.h: @protocol MLFeatureProvider
public protocol MLFeatureProvider {
  /// real: MLFeatureProvider.h: @property (readonly, nonatomic) NSSet<NSString *> *featureNames;
  var featureNames: Set<String> { get }
  /// real: MLFeatureProvider.h: - (nullable MLFeatureValue *)featureValueForName:(NSString *)featureName;
  func featureValue(for featureName: String) -> MLFeatureValue?
}

/// real: MLDictionaryFeatureProvider.h: @interface MLDictionaryFeatureProvider : NSObject<MLFeatureProvider, NSSecureCoding>
public class MLDictionaryFeatureProvider: NSObject, MLFeatureProvider {
  /// real: MLDictionaryFeatureProvider.h: - (nullable instancetype)initWithDictionary:(NSDictionary<NSString *, id> *)dictionary error:(NSError **)error;
  public init(dictionary: [String: Any]) throws { fatalError("stand-in") }
  /// real: MLFeatureProvider.h: @property (readonly, nonatomic) NSSet<NSString *> *featureNames;
  public var featureNames: Set<String> { fatalError("stand-in") }
  /// real: MLFeatureProvider.h: - (nullable MLFeatureValue *)featureValueForName:(NSString *)featureName;
  public func featureValue(for featureName: String) -> MLFeatureValue? { fatalError("stand-in") }
}

/// real: MLState.h: @interface MLState : NSObject
public final class MLState: NSObject, @unchecked Sendable {}

/// real: MLModel.h: @interface MLModel : NSObject
public class MLModel: NSObject {
  /// real: MLModel.h: @property (readonly, nonatomic) MLModelDescription *modelDescription;
  public var modelDescription: MLModelDescription { fatalError("stand-in") }

  /// real: MLModel.h: + (nullable instancetype)modelWithContentsOfURL:(NSURL *)url configuration:(MLModelConfiguration *)configuration error:(NSError * _Nullable __autoreleasing *)error API_AVAILABLE(macos(10.14), ios(12.0), watchos(5.0), tvos(12.0));
  public init(contentsOf url: URL, configuration: MLModelConfiguration) throws { fatalError("stand-in") }

  /// real: MLModel+MLModelCompilation.h: + (nullable NSURL *)compileModelAtURL:(NSURL *)modelURL error:(NSError **)error
  public class func compileModel(at modelURL: URL) throws -> URL { fatalError("stand-in") }

  /// real: MLModel.h: - (nullable id<MLFeatureProvider>)predictionFromFeatures:(id<MLFeatureProvider>)input error:(NSError * __autoreleasing *)error;
  public func prediction(from input: MLFeatureProvider) throws -> MLFeatureProvider { fatalError("stand-in") }

  /// real: CoreML.swiftinterface: public func makeState() -> CoreML.MLState
  @available(macOS 15.0, iOS 18.0, *)
  public func makeState() -> MLState { fatalError("stand-in") }

  /// real: MLModel+MLState.h: - (nullable id<MLFeatureProvider>)predictionFromFeatures:(id<MLFeatureProvider>)inputFeatures usingState:(MLState *)state error:(NSError * __autoreleasing *)error NS_SWIFT_NAME(prediction(from:using:))
  @available(macOS 15.0, iOS 18.0, *)
  public func prediction(from inputFeatures: MLFeatureProvider, using state: MLState) throws -> MLFeatureProvider {
    fatalError("stand-in")
  }
}
