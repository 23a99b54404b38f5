package io.nativetok.plot;

import io.nativetok.tokenizer.NativeTokConfig;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Attention-visibility diagrams: which slots of a sequence each query row can read, for the
 * NativeTok experts and the two single-ViT baselines.
 *
 * <p>The patterns restate the rules that the encoders implement. {@code CausalExperts} gives
 * expert i the sequence {@code [X_latent ; h_0 .. h_{i-1} ; q_i]} with full attention inside it.
 * {@code SingleStreamEncoder} runs one ViT over {@code [class token ; N patches ; L latent
 * tokens]}: with full attention for TiTok; with the causal mask, patch rows read only image columns
 * and latent row i reads image columns and latent columns 0..i. A test compares the causal-mask
 * pattern with the mask the encoder builds.
 */
public final class Diagrams {

    private static final int TARGET_MATRIX_PIXELS = 240;
    private static final int MARGIN = 10;
    private static final int GAP = 16;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Color SEPARATOR = new Color(90, 90, 90);

    private Diagrams() {}

    /** The kind of key slot a query row reads in one cell of an attention pattern. */
    public enum Visibility {
        /** Not readable: masked out, or not part of the row's sequence at all. */
        HIDDEN(new Color(235, 235, 235), "not visible"),
        /** An image slot: the class token or a patch, or a row of X_latent for the experts. */
        IMAGE(new Color(120, 160, 210), "image"),
        /** The slot of an earlier token position j < i (h_j for NativeTok). */
        EARLIER_TOKEN(new Color(90, 170, 90), "earlier token"),
        /** The row's own token slot (q_i for NativeTok, latent token i for the baselines). */
        OWN_TOKEN(new Color(240, 170, 60), "own token"),
        /** The slot of a later token position j > i: a dependence that breaks the causal order. */
        LATER_TOKEN(new Color(210, 60, 60), "later token"),
        /** An image row that reads a token slot, a path by which later tokens reach earlier ones. */
        TOKEN_INTO_IMAGE(new Color(230, 130, 150), "token read by image row");

        private final Color color;
        private final String label;

        Visibility(Color color, String label) {
            this.color = color;
            this.label = label;
        }

        /** Returns the colour this kind is drawn in. */
        public Color color() {
            return color;
        }

        /** Returns the legend text. */
        public String label() {
            return label;
        }
    }

    /**
     * Returns what each NativeTok expert reads: one row per expert i (L rows) and the columns
     * {@code [X_latent (N + 1 rows) ; token slots 0 .. L-1]}. In row i, the X_latent columns are
     * {@link Visibility#IMAGE}, slots j < i contain {@code h_j} ({@link Visibility#EARLIER_TOKEN}), slot
     * i contains the expert's query {@code q_i} ({@link Visibility#OWN_TOKEN}) and slots j > i are not in
     * the expert's sequence ({@link Visibility#HIDDEN}).
     */
    public static Visibility[][] expertPattern(NativeTokConfig config) {
        int imageSlots = config.patchCount() + 1;
        int tokens = config.tokens();
        Visibility[][] pattern = new Visibility[tokens][imageSlots + tokens];
        for (int i = 0; i < tokens; i++) {
            for (int column = 0; column < imageSlots + tokens; column++) {
                pattern[i][column] = column < imageSlots ? Visibility.IMAGE : tokenVisibility(i, column - imageSlots);
            }
        }
        return pattern;
    }

    /**
     * Returns the attention pattern of the single ViT of the TiTok ({@code causal} false) or
     * causal-mask ({@code causal} true) encoder: a square matrix over {@code [class token ; N patches
     * ; L latent tokens]}, rows reading columns.
     */
    public static Visibility[][] singleStreamPattern(NativeTokConfig config, boolean causal) {
        int imageSlots = config.patchCount() + 1;
        int length = imageSlots + config.tokens();
        Visibility[][] pattern = new Visibility[length][length];
        for (int row = 0; row < length; row++) {
            for (int column = 0; column < length; column++) {
                pattern[row][column] = singleStreamVisibility(row, column, imageSlots, causal);
            }
        }
        return pattern;
    }

    private static Visibility singleStreamVisibility(int row, int column, int imageSlots, boolean causal) {
        if (column < imageSlots) {
            return Visibility.IMAGE;
        }
        if (row < imageSlots) {
            return causal ? Visibility.HIDDEN : Visibility.TOKEN_INTO_IMAGE;
        }
        Visibility kind = tokenVisibility(row - imageSlots, column - imageSlots);
        return causal || kind != Visibility.HIDDEN ? kind : Visibility.LATER_TOKEN;
    }

    private static Visibility tokenVisibility(int position, int slot) {
        if (slot < position) {
            return Visibility.EARLIER_TOKEN;
        }
        return slot == position ? Visibility.OWN_TOKEN : Visibility.HIDDEN;
    }

    /**
     * Draws a pattern as a matrix of coloured cells, with a title above, a caption and a legend of
     * the kinds it contains below. A thin line separates the image columns from the token columns
     * (and the image rows from the token rows of a square pattern).
     *
     * @param imageSlots number of leading image columns (N + 1), where the separator goes
     */
    public static BufferedImage render(String title, String caption, Visibility[][] pattern, int imageSlots) {
        int rows = pattern.length;
        int columns = rows == 0 ? 0 : pattern[0].length;
        if (rows == 0 || columns == 0) {
            throw new IllegalArgumentException("Empty pattern: expected at least one row and one column.");
        }
        int cell = Math.max(1, TARGET_MATRIX_PIXELS / Math.max(rows, columns));
        int matrixWidth = columns * cell;
        int matrixHeight = rows * cell;
        List<Visibility> legend = kindsIn(pattern);
        int lineHeight = 16;
        int width = Math.max(matrixWidth, textWidth(title, caption, legend)) + 2 * MARGIN;
        int height = MARGIN + lineHeight + 4 + matrixHeight + 6 + lineHeight * (1 + legend.size()) + MARGIN;

        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);

        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        int top = MARGIN + lineHeight;
        g.drawString(title, MARGIN, top - 4);
        top += 4;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                g.setColor(pattern[r][c].color());
                g.fillRect(MARGIN + c * cell, top + r * cell, cell, cell);
            }
        }
        g.setColor(SEPARATOR);
        g.drawRect(MARGIN, top, matrixWidth - 1, matrixHeight - 1);
        if (imageSlots > 0 && imageSlots < columns) {
            g.drawLine(MARGIN + imageSlots * cell, top, MARGIN + imageSlots * cell, top + matrixHeight - 1);
            if (rows == columns) {
                g.drawLine(MARGIN, top + imageSlots * cell, MARGIN + matrixWidth - 1, top + imageSlots * cell);
            }
        }

        g.setFont(TEXT_FONT);
        FontMetrics metrics = g.getFontMetrics();
        int y = top + matrixHeight + 6 + metrics.getAscent();
        g.setColor(Color.BLACK);
        g.drawString(caption, MARGIN, y);
        for (Visibility kind : legend) {
            y += lineHeight;
            g.setColor(kind.color());
            g.fillRect(MARGIN, y - metrics.getAscent() + 1, 10, 10);
            g.setColor(Color.BLACK);
            g.drawString(kind.label(), MARGIN + 16, y);
        }
        g.dispose();
        return canvas;
    }

    /** Returns the widest of the title, the caption and the legend lines, in pixels. */
    private static int textWidth(String title, String caption, List<Visibility> legend) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            int width = g.getFontMetrics(TITLE_FONT).stringWidth(title);
            FontMetrics text = g.getFontMetrics(TEXT_FONT);
            width = Math.max(width, text.stringWidth(caption));
            for (Visibility kind : legend) {
                width = Math.max(width, 16 + text.stringWidth(kind.label()));
            }
            return width;
        } finally {
            g.dispose();
        }
    }

    private static List<Visibility> kindsIn(Visibility[][] pattern) {
        Set<Visibility> present = EnumSet.noneOf(Visibility.class);
        for (Visibility[] row : pattern) {
            for (Visibility kind : row) {
                present.add(kind);
            }
        }
        return new ArrayList<>(present);
    }

    /** Places images next to each other, top-aligned, on a white background. */
    public static BufferedImage sideBySide(BufferedImage... images) {
        if (images.length == 0) {
            throw new IllegalArgumentException("No images to place: expected at least one.");
        }
        int width = 0;
        int height = 0;
        for (BufferedImage image : images) {
            width += image.getWidth();
            height = Math.max(height, image.getHeight());
        }
        width += GAP * (images.length - 1);
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 0;
        for (BufferedImage image : images) {
            g.drawImage(image, left, 0, null);
            left += image.getWidth() + GAP;
        }
        g.dispose();
        return canvas;
    }
}
