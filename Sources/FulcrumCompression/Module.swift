/// Streaming HTTP compression over zlib (filled by the compression work).
public enum FulcrumCompressionModule {}
