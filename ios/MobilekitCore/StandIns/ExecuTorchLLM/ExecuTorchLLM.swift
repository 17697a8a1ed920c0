// Stand-in for ExecuTorch's LLM module (SwiftPM products `executorch_llm` + `kernels_llm`, branch swiftpm-1.5.1)
// on Linux: TextRunner and Config with exactly the Swift names their Objective-C headers import as
// (StandIns/upstream/executorch/ExecuTorchLLMTextRunner.h, ExecuTorchLLMConfig.h). Nothing here runs.
// Both classes are marked deprecated upstream ("This API is experimental."), so are these.
import Foundation

/// real: ExecuTorchLLMConfig.h: @interface ExecuTorchLLMConfig : NSObject<NSCopying>
@available(*, deprecated, message: "This API is experimental.")
public final class Config: NSObject {
  /// real: ExecuTorchLLMConfig.h: @property(nonatomic, getter=isEchoEnabled) BOOL echoEnabled;
  public var isEchoEnabled: Bool = true
  /// real: ExecuTorchLLMConfig.h: @property(nonatomic) NSInteger maximumNewTokens;
  public var maximumNewTokens: Int = -1
  /// real: ExecuTorchLLMConfig.h: @property(nonatomic) NSInteger sequenceLength;
  public var sequenceLength: Int = -1
  /// real: ExecuTorchLLMConfig.h: @property(nonatomic) double temperature;
  public var temperature: Double = 0.8
  /// real: ExecuTorchLLMConfig.h: - (instancetype)initWithBlock:(NS_NOESCAPE void (^)(ExecuTorchLLMConfig *))block NS_SWIFT_NAME(init(_:));
  public init(_ block: (Config) -> Void) { fatalError("stand-in") }
}

/// real: ExecuTorchLLMTextRunner.h: @interface ExecuTorchLLMTextRunner : NSObject
@available(*, deprecated, message: "This API is experimental.")
public class TextRunner: NSObject {
  /// real: ExecuTorchLLMTextRunner.h: - (instancetype)initWithModelPath:(NSString *)modelPath tokenizerPath:(NSString *)tokenizerPath specialTokens:(NSArray<NSString *> *)specialTokens NS_DESIGNATED_INITIALIZER;
  public init(modelPath: String, tokenizerPath: String, specialTokens: [String]) { fatalError("stand-in") }

  /// real: ExecuTorchLLMTextRunner.h: - (BOOL)isLoaded;
  public func isLoaded() -> Bool { fatalError("stand-in") }

  /// real: ExecuTorchLLMTextRunner.h: - (BOOL)loadWithError:(NSError **)error;
  public func load() throws { fatalError("stand-in") }

  /// real: ExecuTorchLLMTextRunner.h: - (BOOL)generateWithPrompt:(NSString *)prompt config:(ExecuTorchLLMConfig *)config tokenCallback:(nullable void (^)(NSString *token))callback error:(NSError **)error NS_SWIFT_NAME(generate(_:_:tokenCallback:));
  public func generate(_ prompt: String, _ config: Config, tokenCallback callback: ((String) -> Void)?) throws {
    fatalError("stand-in")
  }

  /// real: ExecuTorchLLMTextRunner.h: - (void)stop;
  public func stop() { fatalError("stand-in") }

  /// real: ExecuTorchLLMTextRunner.h: - (void)reset;
  public func reset() { fatalError("stand-in") }
}
