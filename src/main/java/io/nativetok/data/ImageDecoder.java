package io.nativetok.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Decoding of one image file with ImageIO, with a size check on the header before the pixels are read. */
final class ImageDecoder {

    /** Decoded image, or the reason the file cannot be used; exactly one of the two is null. */
    record Result(BufferedImage image, String error) {
        static Result failed(String error) {
            return new Result(null, error);
        }
    }

    private ImageDecoder() {
    }

    /**
     * Decodes the first image of {@code file}, rejecting a header of more than {@code maxPixels}
     * pixels before any pixel data is read.
     */
    static Result decode(Path file, long maxPixels) {
        long bytes;
        try {
            bytes = Files.size(file);
        } catch (IOException e) {
            return Result.failed("its size cannot be read (" + e.getMessage() + ")");
        }
        if (bytes == 0) {
            return Result.failed("it is empty (0 bytes)");
        }

        try (ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
            if (input == null) {
                return Result.failed("it cannot be opened as an image stream");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                return Result.failed("its content is not a PNG or JPEG image (" + bytes + " bytes, no image format"
                        + " recognized)");
            }
            ImageReader reader = readers.next();
            try {
                return read(reader, input, maxPixels);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            return Result.failed("it cannot be read (" + e.getMessage() + ")");
        }
    }

    private static Result read(ImageReader reader, ImageInputStream input, long maxPixels) throws IOException {
        String format = reader.getFormatName().toUpperCase(Locale.ROOT);
        reader.setInput(input, true, true);

        int width;
        int height;
        try {
            width = reader.getWidth(0);
            height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            return Result.failed("its " + format + " header is invalid (" + describe(e) + ")");
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            return Result.failed("its " + format + " header declares " + width + "x" + height + " = " + pixels
                    + " pixels, above the limit of " + maxPixels + " pixels that guards against decompression bombs;"
                    + " raise maxPixels if the image is genuine");
        }
        if (width < 1 || height < 1) {
            return Result.failed("its " + format + " header declares an invalid size " + width + "x" + height);
        }

        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image;
        try {
            image = reader.read(0);
        } catch (IOException | RuntimeException e) {
            // ImageIO's decoders throw unchecked exceptions, too, on some damaged data.
            return Result.failed("its " + format + " data is truncated or damaged (" + describe(e) + ")");
        }
        if (!warnings.isEmpty()) {
            // The JPEG decoder reports a truncated file only as a warning and fills the rest with gray.
            return Result.failed("its " + format + " data is truncated or damaged (decoder warning: "
                    + String.join("; ", warnings) + ")");
        }
        return new Result(image, null);
    }

    private static String describe(Exception e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            message = message + ": " + cause.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
