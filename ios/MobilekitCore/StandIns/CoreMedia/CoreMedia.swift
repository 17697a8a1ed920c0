// Stand-in for CoreMedia on Linux: the sample buffer the camera output delivers and the one call that takes its
// pixel buffer (CMSampleBuffer.h, iOS 18 SDK; see StandIns/APPLE-SOURCES.txt). Nothing here runs.
import CoreVideo
import Foundation

/// real: CMSampleBuffer.h: typedef struct CM_BRIDGED_TYPE(id) opaqueCMSampleBuffer *CMSampleBufferRef;
public final class CMSampleBuffer {}

/// real: CMSampleBuffer.h: CM_EXPORT CVImageBufferRef CM_NULLABLE CMSampleBufferGetImageBuffer( CMSampleBufferRef CM_NONNULL sbuf)
public func CMSampleBufferGetImageBuffer(_ sbuf: CMSampleBuffer) -> CVImageBuffer? { fatalError("stand-in") }
