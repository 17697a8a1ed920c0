// Stand-in for CoreVideo on Linux: the pixel-buffer calls the Core ML runner and the camera path make, with the
// Swift signatures the iOS 18 SDK imports (CoreVideo.framework/Headers/CVPixelBuffer.h, CVReturn.h,
// CVPixelFormatDescription; recorded from the SDK's headers, see StandIns/APPLE-SOURCES.txt). Nothing here runs.
import Foundation

/// real: MacTypes.h: typedef FourCharCode OSType;
public typealias OSType = UInt32
/// real: CVBuffer.h: typedef struct CV_BRIDGED_TYPE(id) __CVBuffer *CVBufferRef;
public final class CVBuffer {}
/// real: CVImageBuffer.h: typedef CVBufferRef CVImageBufferRef;
public typealias CVImageBuffer = CVBuffer
/// real: CVPixelBuffer.h: typedef CVImageBufferRef CVPixelBufferRef;
public typealias CVPixelBuffer = CVImageBuffer
/// real: CVReturn.h: typedef int32_t CVReturn;
public typealias CVReturn = Int32
/// real: CVReturn.h: kCVReturnSuccess = 0,
public let kCVReturnSuccess: CVReturn = 0
/// real: CVPixelBuffer.h: kCVPixelFormatType_32BGRA = 'BGRA',
public let kCVPixelFormatType_32BGRA: OSType = 0x4247_5241
/// real: CVPixelBuffer.h: kCVPixelFormatType_OneComponent8 = 'L008',
public let kCVPixelFormatType_OneComponent8: OSType = 0x4C30_3038
/// real: CVPixelBuffer.h: CV_EXPORT const CFStringRef CV_NONNULL kCVPixelBufferPixelFormatTypeKey
public let kCVPixelBufferPixelFormatTypeKey: String = "PixelFormatType"

/// real: CVPixelBuffer.h: typedef CF_OPTIONS(CVOptionFlags, CVPixelBufferLockFlags) {
public struct CVPixelBufferLockFlags: OptionSet, Sendable {
  /// real: CVPixelBuffer.h: typedef CF_OPTIONS(CVOptionFlags, CVPixelBufferLockFlags) {
  public let rawValue: UInt64
  /// real: CVPixelBuffer.h: typedef CF_OPTIONS(CVOptionFlags, CVPixelBufferLockFlags) {
  public init(rawValue: UInt64) { self.rawValue = rawValue }
  /// real: CVPixelBuffer.h: kCVPixelBufferLock_ReadOnly = 0x00000001,
  public static let readOnly = CVPixelBufferLockFlags(rawValue: 1)
}

/// real: CVPixelBuffer.h: CV_EXPORT CVReturn CVPixelBufferCreate( CFAllocatorRef CV_NULLABLE allocator, size_t width, size_t height, OSType pixelFormatType, CFDictionaryRef CV_NULLABLE pixelBufferAttributes, CV_RETURNS_RETAINED_PARAMETER CVPixelBufferRef CV_NULLABLE * CV_NONNULL pixelBufferOut)
@discardableResult
public func CVPixelBufferCreate(_ allocator: AnyObject?, _ width: Int, _ height: Int, _ pixelFormatType: OSType,
                                _ pixelBufferAttributes: NSDictionary?,
                                _ pixelBufferOut: UnsafeMutablePointer<CVPixelBuffer?>) -> CVReturn {
  fatalError("stand-in")
}
/// real: CFBase.h: CF_EXPORT const CFAllocatorRef kCFAllocatorDefault;
public let kCFAllocatorDefault: AnyObject? = nil
/// real: CVPixelBuffer.h: CV_EXPORT CVReturn CVPixelBufferLockBaseAddress( CVPixelBufferRef CV_NONNULL pixelBuffer, CVPixelBufferLockFlags lockFlags )
@discardableResult
public func CVPixelBufferLockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ lockFlags: CVPixelBufferLockFlags) -> CVReturn {
  fatalError("stand-in")
}
/// real: CVPixelBuffer.h: CV_EXPORT CVReturn CVPixelBufferUnlockBaseAddress( CVPixelBufferRef CV_NONNULL pixelBuffer, CVPixelBufferLockFlags unlockFlags )
@discardableResult
public func CVPixelBufferUnlockBaseAddress(_ pixelBuffer: CVPixelBuffer, _ unlockFlags: CVPixelBufferLockFlags) -> CVReturn {
  fatalError("stand-in")
}
/// real: CVPixelBuffer.h: CV_EXPORT void * CV_NULLABLE CVPixelBufferGetBaseAddress( CVPixelBufferRef CV_NONNULL pixelBuffer )
public func CVPixelBufferGetBaseAddress(_ pixelBuffer: CVPixelBuffer) -> UnsafeMutableRawPointer? { fatalError("stand-in") }
/// real: CVPixelBuffer.h: CV_EXPORT size_t CVPixelBufferGetBytesPerRow( CVPixelBufferRef CV_NONNULL pixelBuffer )
public func CVPixelBufferGetBytesPerRow(_ pixelBuffer: CVPixelBuffer) -> Int { fatalError("stand-in") }
/// real: CVPixelBuffer.h: CV_EXPORT size_t CVPixelBufferGetWidth( CVPixelBufferRef CV_NONNULL pixelBuffer )
public func CVPixelBufferGetWidth(_ pixelBuffer: CVPixelBuffer) -> Int { fatalError("stand-in") }
/// real: CVPixelBuffer.h: CV_EXPORT size_t CVPixelBufferGetHeight( CVPixelBufferRef CV_NONNULL pixelBuffer )
public func CVPixelBufferGetHeight(_ pixelBuffer: CVPixelBuffer) -> Int { fatalError("stand-in") }
/// real: CVPixelBuffer.h: CV_EXPORT OSType CVPixelBufferGetPixelFormatType( CVPixelBufferRef CV_NONNULL pixelBuffer )
public func CVPixelBufferGetPixelFormatType(_ pixelBuffer: CVPixelBuffer) -> OSType { fatalError("stand-in") }
