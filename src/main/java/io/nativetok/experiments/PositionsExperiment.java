package io.nativetok.experiments;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.nativetok.data.ImageSets;
import io.nativetok.metrics.TokenPositions;
import io.nativetok.plot.Plots;
import io.nativetok.tokenizer.EncoderKind;
import io.nativetok.tokenizer.NativeTok;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Token-position ablations for each encoder kind: reconstruction quality from the first k tokens
 * and the influence of each position on the decoded image.
 */
public final class PositionsExperiment implements Experiment {

    @Override
    public String name() {
        return "positions";
    }

    @Override
    public String description() {
        return "prefix reconstructions and per-position influence of NativeTok, TiTok and causal-mask tokens";
    }

    @Override
    public void run(ExperimentContext context) {
        Budget budget = context.budget();
        Map<String, Table> prefixTables = new LinkedHashMap<>();
        Map<String, Table> influenceTables = new LinkedHashMap<>();
        for (EncoderKind kind : EncoderKind.values()) {
            try (NativeTok tokenizer = MainExperiment.trainTokenizer(context, kind, budget)) {
                long start = System.nanoTime();
                int[] prefixes = prefixLengths(tokenizer.tokens());
                prefixTables.put(kind.id(), TokenPositions.prefixQuality(tokenizer, context.evaluation(), prefixes));
                influenceTables.put(kind.id(), TokenPositions.influence(
                        tokenizer,
                        ImageSets.subset(context.evaluation(), 0, Math.min(budget.influenceImages(), context.evaluation().size())),
                        budget.influenceReplacements(),
                        0));
                drawPrefixes(context, tokenizer, kind, prefixes);
                context.recordStage("measure " + kind.id(), start);
            }
        }
        context.table("prefix_quality", stack(prefixTables));
        context.table("position_influence", stack(influenceTables));
        context.chart("prefix_psnr", Plots.prefixChart(prefixTables));
        context.chart("position_influence", Plots.influenceChart(influenceTables));
        context.note("prefix_quality: PSNR and SSIM of decoding only the first k tokens (the rest replaced by the"
                + " decoder's absent-token embedding) on the evaluation images. position_influence: mean squared"
                + " pixel change when the token at a position is replaced by a random other code. The tokenizers were"
                + " trained without tail dropout, so short prefixes were never seen in training.");
    }

    /** Returns 1, 2, 4, ... up to L, always ending with L. */
    static int[] prefixLengths(int tokens) {
        List<Integer> lengths = new ArrayList<>();
        for (int k = 1; k < tokens; k *= 2) {
            lengths.add(k);
        }
        lengths.add(tokens);
        return lengths.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void drawPrefixes(ExperimentContext context, NativeTok tokenizer, EncoderKind kind, int[] prefixes) {
        try (NDManager scope = tokenizer.manager().newSubManager()) {
            int count = Math.min(8, context.evaluation().size());
            NDArray images = ImageSets.toArray(scope, context.evaluation(), IntStream.range(0, count).toArray());
            context.picture("prefixes-" + kind.id(), Plots.prefixReconstructions(tokenizer, images, prefixes));
        }
    }

    /** Stacks tables with the same columns, adding a first column {@code tokenizer} with the key. */
    static Table stack(Map<String, Table> tables) {
        Table result = null;
        for (Map.Entry<String, Table> entry : tables.entrySet()) {
            Table table = entry.getValue().copy();
            StringColumn kind = StringColumn.create("tokenizer");
            for (int row = 0; row < table.rowCount(); row++) {
                kind.append(entry.getKey());
            }
            table.insertColumn(0, kind);
            result = result == null ? table : result.append(table);
        }
        return result;
    }
}
