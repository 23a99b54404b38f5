package io.nativetok.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.nativetok.plot.Diagrams.Visibility;
import io.nativetok.tokenizer.NativeTokConfig;
import io.nativetok.tokenizer.Preset;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class DiagramsTest {

    private static final NativeTokConfig TINY = Preset.TINY.config();
    private static final int IMAGE_SLOTS = TINY.patchCount() + 1;

    @Test
    void expertPatternHidesLaterOutputs() {
        Visibility[][] pattern = Diagrams.expertPattern(TINY);
        assertEquals(TINY.tokens(), pattern.length);
        assertEquals(IMAGE_SLOTS + TINY.tokens(), pattern[0].length);
        for (int i = 0; i < TINY.tokens(); i++) {
            for (int column = 0; column < IMAGE_SLOTS; column++) {
                assertEquals(Visibility.IMAGE, pattern[i][column], "expert " + i + ", X_latent row " + column);
            }
            for (int j = 0; j < TINY.tokens(); j++) {
                Visibility expected = j < i ? Visibility.EARLIER_TOKEN
                        : j == i ? Visibility.OWN_TOKEN : Visibility.HIDDEN;
                assertEquals(expected, pattern[i][IMAGE_SLOTS + j], "expert " + i + ", token slot " + j);
            }
        }
    }

    @Test
    void titokPatternLetsEveryRowReadEverySlot() {
        Visibility[][] pattern = Diagrams.singleStreamPattern(TINY, false);
        int length = IMAGE_SLOTS + TINY.tokens();
        assertEquals(length, pattern.length);
        for (int row = 0; row < length; row++) {
            for (int column = 0; column < length; column++) {
                assertTrue(pattern[row][column] != Visibility.HIDDEN, "row " + row + ", column " + column);
            }
        }
        assertEquals(Visibility.LATER_TOKEN, pattern[IMAGE_SLOTS][IMAGE_SLOTS + 1]);
        assertEquals(Visibility.TOKEN_INTO_IMAGE, pattern[1][IMAGE_SLOTS]);
    }

    @Test
    void causalPatternHasNoLaterToken() {
        Visibility[][] pattern = Diagrams.singleStreamPattern(TINY, true);
        for (Visibility[] row : pattern) {
            for (Visibility kind : row) {
                assertNotEquals(Visibility.LATER_TOKEN, kind);
                assertNotEquals(Visibility.TOKEN_INTO_IMAGE, kind);
            }
        }
        assertEquals(Visibility.HIDDEN, pattern[1][IMAGE_SLOTS]);
        assertEquals(Visibility.EARLIER_TOKEN, pattern[IMAGE_SLOTS + 1][IMAGE_SLOTS]);
    }

    @Test
    void renderFitsMatrixAndText() {
        Visibility[][] pattern = Diagrams.expertPattern(TINY);
        BufferedImage image = Diagrams.render("NativeTok experts", "a caption that is rather long for the matrix",
                pattern, IMAGE_SLOTS);
        assertTrue(image.getWidth() >= pattern[0].length, "width " + image.getWidth());
        assertTrue(image.getHeight() > pattern.length, "height " + image.getHeight());
    }

    @Test
    void renderRejectsEmptyPattern() {
        assertThrows(IllegalArgumentException.class, () -> Diagrams.render("t", "c", new Visibility[0][0], 0));
    }

    @Test
    void sideBySideAddsWidths() {
        BufferedImage a = new BufferedImage(10, 20, BufferedImage.TYPE_INT_RGB);
        BufferedImage b = new BufferedImage(30, 5, BufferedImage.TYPE_INT_RGB);
        BufferedImage joined = Diagrams.sideBySide(a, b);
        assertTrue(joined.getWidth() > 40, "width " + joined.getWidth());
        assertEquals(20, joined.getHeight());
    }
}
