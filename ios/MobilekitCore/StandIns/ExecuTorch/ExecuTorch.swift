// Stand-in for ExecuTorch's Swift module (SwiftPM product `executorch`, branch swiftpm-1.5.1) on Linux, where
// the real binary framework does not exist: only the declarations MobilekitApp calls, each with exactly the
// real Swift signature, so `swift build` proves the calls. Nothing here runs: every body traps.
//
// Each public declaration carries a `/// real:` line naming the upstream file it comes from
// (StandIns/upstream/executorch/, verbatim copies with their sha256 in SOURCES.txt). A Swift declaration must
// appear there as written; an Objective-C one quotes the header's declaration, and its Swift name follows
// from NS_SWIFT_NAME or the importer's rules. tests/apps/test_swift.py checks both.
import Foundation

/// real: ExecuTorchTensor.h: typedef NS_ENUM(int8_t, ExecuTorchDataType) {
public enum DataType: Int8 {
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeByte,
  case byte
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeChar,
  case char
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeShort,
  case short
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeInt,
  case int
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeLong,
  case long
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeHalf,
  case half
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeFloat,
  case float
  /// real: ExecuTorchTensor.h: ExecuTorchDataTypeBool,
  case bool = 11
}

/// real: ExecuTorchTensor.h: typedef NS_ENUM(uint8_t, ExecuTorchShapeDynamism) {
public enum ShapeDynamism: UInt8 {
  /// real: ExecuTorchTensor.h: ExecuTorchShapeDynamismStatic,
  case `static`
  /// real: ExecuTorchTensor.h: ExecuTorchShapeDynamismDynamicBound,
  case dynamicBound
  /// real: ExecuTorchTensor.h: ExecuTorchShapeDynamismDynamicUnbound,
  case dynamicUnbound
}

/// real: ExecuTorchModule.h: typedef NS_ENUM(NSInteger, ExecuTorchModuleLoadMode) {
public enum ModuleLoadMode: Int {
  /// real: ExecuTorchModule.h: ExecuTorchModuleLoadModeFile = 0,
  case file
  /// real: ExecuTorchModule.h: ExecuTorchModuleLoadModeMmap,
  case mmap
}

/// real: ExecuTorchTensor.h: @interface ExecuTorchTensor : NSObject<NSCopying>
public class AnyTensor: NSObject {
  /// real: ExecuTorchTensor.h: @property(nonatomic, readonly) ExecuTorchDataType dataType;
  public var dataType: DataType { fatalError("stand-in") }
}

public extension AnyTensor {
  /// real: ExecuTorch+Tensor.swift
  convenience init(
    bytes pointer: UnsafeRawPointer,
    shape: [Int],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    dataType: DataType,
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stand-in") }
}

/// real: ExecuTorchValue.h: @interface ExecuTorchValue : NSObject <NSCopying>
public class Value: NSObject {}

public extension Value {
  /// real: ExecuTorch+Value.swift
  func tensor<T: Scalar>() -> Tensor<T>? { fatalError("stand-in") }
}

/// real: ExecuTorch+Value.swift
public protocol ValueConvertible {
  /// real: ExecuTorch+Value.swift
  func asValue() -> Value
}

extension AnyTensor: ValueConvertible {
  /// real: ExecuTorch+Value.swift
  public func asValue() -> Value { fatalError("stand-in") }
}

extension Tensor: ValueConvertible {
  /// real: ExecuTorch+Value.swift
  public func asValue() -> Value { fatalError("stand-in") }
}

/// real: ExecuTorch+Tensor.swift
public protocol Scalar {
  /// real: ExecuTorch+Tensor.swift
  static var dataType: DataType { get }
}

extension UInt8: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .byte }
}

extension Int8: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .char }
}

extension Int32: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .int }
}

extension Int64: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .long }
}

extension Float: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .float }
}

extension Bool: Scalar {
  /// real: ExecuTorch+Tensor.swift
  public static var dataType: DataType { .bool }
}

/// real: ExecuTorch+Tensor.swift
public final class Tensor<T: Scalar> {
  /// real: ExecuTorch+Tensor.swift
  public var shape: [Int] { fatalError("stand-in") }

  /// real: ExecuTorch+Tensor.swift
  public convenience init(
    _ scalars: [T],
    shape: [Int] = [],
    strides: [Int] = [],
    dimensionOrder: [Int] = [],
    shapeDynamism: ShapeDynamism = .dynamicBound
  ) { fatalError("stand-in") }

  private init() {}
}

public extension Tensor {
  /// real: ExecuTorch+Tensor.swift
  func scalars() -> [T] { fatalError("stand-in") }
}

/// real: ExecuTorchModule.h: @interface ExecuTorchModule : NSObject
public class Module: NSObject {
  /// real: ExecuTorchModule.h: - (instancetype)initWithFilePath:(NSString *)filePath loadMode:(ExecuTorchModuleLoadMode)loadMode;
  public init(filePath: String, loadMode: ModuleLoadMode) { fatalError("stand-in") }

  /// real: ExecuTorchModule.h: - (BOOL)loadMethod:(NSString *)methodName error:(NSError **)error NS_SWIFT_NAME(load(_:));
  public func load(_ methodName: String) throws { fatalError("stand-in") }
}

public extension Module {
  /// real: ExecuTorch+Module.swift
  func forward(_ inputs: [ValueConvertible]) throws -> [Value] { fatalError("stand-in") }
}
