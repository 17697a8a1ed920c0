// Stand-in for AVFoundation's capture classes on Linux: what the camera screen's capture pipeline calls, with the
// Swift signatures the iOS 18 SDK imports (AVFoundation.framework/Headers/AVCaptureSession.h, AVCaptureInput.h,
// AVCaptureOutput.h / AVCaptureVideoDataOutput.h, AVCaptureDevice.h, AVMediaFormat.h; see
// StandIns/APPLE-SOURCES.txt). The delegate's one method is optional in Objective-C; Swift on Linux has no @objc
// optional requirements, so here it is required (stricter, never looser). Nothing here runs.
@_exported import CoreMedia
@_exported import CoreVideo
import Foundation

/// real: AVMediaFormat.h: typedef NSString * AVMediaType NS_TYPED_ENUM;
public struct AVMediaType: RawRepresentable, Hashable, Sendable {
  /// real: AVMediaFormat.h: typedef NSString * AVMediaType NS_TYPED_ENUM;
  public let rawValue: String
  /// real: AVMediaFormat.h: typedef NSString * AVMediaType NS_TYPED_ENUM;
  public init(rawValue: String) { self.rawValue = rawValue }
  /// real: AVMediaFormat.h: AVF_EXPORT AVMediaType const AVMediaTypeVideo
  public static let video = AVMediaType(rawValue: "vide")
}

/// real: AVCaptureDevice.h: typedef NS_ENUM(NSInteger, AVAuthorizationStatus) {
public enum AVAuthorizationStatus: Int, Sendable {
  /// real: AVCaptureDevice.h: AVAuthorizationStatusNotDetermined = 0,
  case notDetermined = 0
  /// real: AVCaptureDevice.h: AVAuthorizationStatusRestricted = 1,
  case restricted = 1
  /// real: AVCaptureDevice.h: AVAuthorizationStatusDenied = 2,
  case denied = 2
  /// real: AVCaptureDevice.h: AVAuthorizationStatusAuthorized = 3,
  case authorized = 3
}

/// real: AVCaptureDevice.h: @interface AVCaptureDevice : NSObject
public class AVCaptureDevice: NSObject {
  /// real: AVCaptureDevice.h: typedef NSString *AVCaptureDeviceType NS_TYPED_ENUM
  public struct DeviceType: RawRepresentable, Hashable, Sendable {
    /// real: AVCaptureDevice.h: typedef NSString *AVCaptureDeviceType NS_TYPED_ENUM
    public let rawValue: String
    /// real: AVCaptureDevice.h: typedef NSString *AVCaptureDeviceType NS_TYPED_ENUM
    public init(rawValue: String) { self.rawValue = rawValue }
    /// real: AVCaptureDevice.h: AVF_EXPORT AVCaptureDeviceType const AVCaptureDeviceTypeBuiltInWideAngleCamera
    public static let builtInWideAngleCamera = DeviceType(rawValue: "AVCaptureDeviceTypeBuiltInWideAngleCamera")
  }

  /// real: AVCaptureDevice.h: typedef NS_ENUM(NSInteger, AVCaptureDevicePosition) {
  public enum Position: Int, Sendable {
    /// real: AVCaptureDevice.h: AVCaptureDevicePositionBack = 1,
    case back = 1
    /// real: AVCaptureDevice.h: AVCaptureDevicePositionFront = 2,
    case front = 2
  }

  /// real: AVCaptureDevice.h: + (nullable AVCaptureDevice *)defaultDeviceWithDeviceType:(AVCaptureDeviceType)deviceType mediaType:(nullable AVMediaType)mediaType position:(AVCaptureDevicePosition)position
  public class func `default`(_ deviceType: DeviceType, for mediaType: AVMediaType?, position: Position) -> AVCaptureDevice? {
    fatalError("stand-in")
  }

  /// real: AVCaptureDevice.h: + (AVAuthorizationStatus)authorizationStatusForMediaType:(AVMediaType)mediaType
  public class func authorizationStatus(for mediaType: AVMediaType) -> AVAuthorizationStatus { fatalError("stand-in") }

  /// real: AVCaptureDevice.h: + (void)requestAccessForMediaType:(AVMediaType)mediaType completionHandler:(void (^)(BOOL granted))handler
  public class func requestAccess(for mediaType: AVMediaType, completionHandler handler: @escaping @Sendable (Bool) -> Void) {
    fatalError("stand-in")
  }
}

/// real: AVCaptureInput.h: @interface AVCaptureInput : NSObject
public class AVCaptureInput: NSObject {}

/// real: AVCaptureInput.h: @interface AVCaptureDeviceInput : AVCaptureInput
public class AVCaptureDeviceInput: AVCaptureInput {
  /// real: AVCaptureInput.h: - (nullable instancetype)initWithDevice:(AVCaptureDevice *)device error:(NSError * _Nullable * _Nullable)outError;
  public init(device: AVCaptureDevice) throws { fatalError("stand-in") }
}

/// real: AVCaptureSession.h: @interface AVCaptureConnection : NSObject
public class AVCaptureConnection: NSObject {
  /// real: AVCaptureSession.h: @property(nonatomic) CGFloat videoRotationAngle API_AVAILABLE(macos(14.0), ios(17.0), macCatalyst(17.0), tvos(17.0)) API_UNAVAILABLE(visionos) API_UNAVAILABLE(watchos);
  public var videoRotationAngle: CGFloat {
    get { fatalError("stand-in") }
    set { fatalError("stand-in") }
  }
  /// real: AVCaptureSession.h: - (BOOL)isVideoRotationAngleSupported:(CGFloat)videoRotationAngle API_AVAILABLE(macos(14.0), ios(17.0), macCatalyst(17.0), tvos(17.0)) API_UNAVAILABLE(visionos) API_UNAVAILABLE(watchos);
  public func isVideoRotationAngleSupported(_ videoRotationAngle: CGFloat) -> Bool { fatalError("stand-in") }
}

/// real: AVCaptureOutputBase.h: @interface AVCaptureOutput : NSObject
public class AVCaptureOutput: NSObject {
  /// real: AVCaptureOutputBase.h: - (nullable AVCaptureConnection *)connectionWithMediaType:(AVMediaType)mediaType
  public func connection(with mediaType: AVMediaType) -> AVCaptureConnection? { fatalError("stand-in") }
}

/// real: AVCaptureVideoDataOutput.h: @protocol AVCaptureVideoDataOutputSampleBufferDelegate <NSObject>
public protocol AVCaptureVideoDataOutputSampleBufferDelegate: AnyObject {
  /// real: AVCaptureVideoDataOutput.h: - (void)captureOutput:(AVCaptureOutput *)output didOutputSampleBuffer:(CMSampleBufferRef)sampleBuffer fromConnection:(AVCaptureConnection *)connection;
  func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection)
}

/// real: AVCaptureVideoDataOutput.h: @interface AVCaptureVideoDataOutput : AVCaptureOutput
public class AVCaptureVideoDataOutput: AVCaptureOutput {
  /// real: AVCaptureVideoDataOutput.h: - (instancetype)init;
  public override init() {}
  /// real: AVCaptureVideoDataOutput.h: @property(nonatomic, copy, null_resettable) NSDictionary<NSString *, id> *videoSettings;
  public var videoSettings: [String: Any]! {
    get { fatalError("stand-in") }
    set { fatalError("stand-in") }
  }
  /// real: AVCaptureVideoDataOutput.h: @property(nonatomic) BOOL alwaysDiscardsLateVideoFrames;
  public var alwaysDiscardsLateVideoFrames: Bool {
    get { fatalError("stand-in") }
    set { fatalError("stand-in") }
  }
  /// real: AVCaptureVideoDataOutput.h: - (void)setSampleBufferDelegate:(nullable id<AVCaptureVideoDataOutputSampleBufferDelegate>)sampleBufferDelegate queue:(nullable dispatch_queue_t)sampleBufferCallbackQueue;
  public func setSampleBufferDelegate(_ sampleBufferDelegate: (any AVCaptureVideoDataOutputSampleBufferDelegate)?,
                                      queue sampleBufferCallbackQueue: DispatchQueue?) {
    fatalError("stand-in")
  }
}

/// real: AVCaptureSession.h: @interface AVCaptureSession : NSObject
public class AVCaptureSession: NSObject {
  /// real: AVCaptureSessionPreset.h: typedef NSString * AVCaptureSessionPreset NS_TYPED_ENUM
  public struct Preset: RawRepresentable, Hashable, Sendable {
    /// real: AVCaptureSessionPreset.h: typedef NSString * AVCaptureSessionPreset NS_TYPED_ENUM
    public let rawValue: String
    /// real: AVCaptureSessionPreset.h: typedef NSString * AVCaptureSessionPreset NS_TYPED_ENUM
    public init(rawValue: String) { self.rawValue = rawValue }
    /// real: AVCaptureSessionPreset.h: AVF_EXPORT AVCaptureSessionPreset const AVCaptureSessionPreset640x480
    public static let vga640x480 = Preset(rawValue: "AVCaptureSessionPreset640x480")
  }

  /// real: AVCaptureSession.h: - (instancetype)init
  public override init() {}
  /// real: AVCaptureSession.h: @property(nonatomic, copy) AVCaptureSessionPreset sessionPreset
  public var sessionPreset: Preset {
    get { fatalError("stand-in") }
    set { fatalError("stand-in") }
  }
  /// real: AVCaptureSession.h: @property(nonatomic, readonly, getter=isRunning) BOOL running;
  public var isRunning: Bool { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (BOOL)canAddInput:(AVCaptureInput *)input;
  public func canAddInput(_ input: AVCaptureInput) -> Bool { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)addInput:(AVCaptureInput *)input;
  public func addInput(_ input: AVCaptureInput) { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (BOOL)canAddOutput:(AVCaptureOutput *)output;
  public func canAddOutput(_ output: AVCaptureOutput) -> Bool { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)addOutput:(AVCaptureOutput *)output;
  public func addOutput(_ output: AVCaptureOutput) { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)beginConfiguration;
  public func beginConfiguration() { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)commitConfiguration;
  public func commitConfiguration() { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)startRunning;
  public func startRunning() { fatalError("stand-in") }
  /// real: AVCaptureSession.h: - (void)stopRunning;
  public func stopRunning() { fatalError("stand-in") }
}
