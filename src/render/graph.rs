//! report.html's drawing: what moved to `unsupported.sql` or was rewritten, and how those
//! statements depend on each other, as inline SVG. The edges are the compile's own: the
//! dependency graph `order` sorted by ([`Order::graph`]) and the `moved_with` links `order` and
//! `unsupported` record; nothing here builds a graph of its own. Layout: layered by dependency
//! depth (columns), statements in input order within a layer, so the same input draws the same
//! bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use crate::ir::{Fate, Ir, StmtId};
use crate::order::Order;
use crate::scan::PieceKind;
use crate::source::SourceFile;

use super::html::Esc;

/// At most this many statements are drawn (the first ones, in input order); the rest are counted.
pub const MAX_NODES: usize = 300;

const NODE_W: usize = 270;
const NODE_H: usize = 34;
const GAP_X: usize = 70;
const GAP_Y: usize = 12;
const MARGIN: usize = 8;
/// Characters of a label that fit in a node at the stylesheet's 12px monospace.
const LABEL_CHARS: usize = 34;

/// Why a statement is in the drawing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeClass {
    /// In `unsupported.sql`.
    Moved,
    /// Loaded, rewritten by rules.
    Changed,
}

impl NodeClass {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeClass::Moved => "moved",
            NodeClass::Changed => "changed",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub id: StmtId,
    pub class: NodeClass,
    /// `kind object`.
    pub label: String,
    /// `file:line`, and why it moved when it did.
    pub title: String,
    pub layer: usize,
    pub row: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Layout {
    pub nodes: Vec<Node>,
    /// (from, to) as indexes into `nodes`: `to` needs `from` (or moved with it).
    pub edges: Vec<(usize, usize)>,
    /// Statements left out past [`MAX_NODES`].
    pub omitted: usize,
}

/// The statements drawn: moved or rewritten ones (COPY data blocks travel with their COPY).
fn drawn(ir: &Ir) -> impl Iterator<Item = (StmtId, NodeClass)> + '_ {
    ir.stmts.iter().filter(|s| s.piece != PieceKind::CopyData).filter_map(|s| {
        if s.unsupported.is_some() {
            Some((s.id, NodeClass::Moved))
        } else if s.fate == Fate::Rewritten {
            Some((s.id, NodeClass::Changed))
        } else {
            None
        }
    })
}

pub fn layout(ir: &Ir, order: &Order, files: &[SourceFile]) -> Layout {
    let all: Vec<(StmtId, NodeClass)> = drawn(ir).collect();
    let omitted = all.len().saturating_sub(MAX_NODES);
    let picked = &all[..all.len() - omitted];
    let index: BTreeMap<StmtId, usize> = picked.iter().enumerate().map(|(i, &(id, _))| (id, i)).collect();
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    for &(id, _) in picked {
        if let Some(from) = ir.stmts[id].moved_with.and_then(|b| index.get(&b)) {
            edges.insert((*from, index[&id]));
        }
    }
    for e in order.graph.raw_edges() {
        let (from, to) = (order.graph[e.source()], order.graph[e.target()]);
        if let (Some(&a), Some(&b)) = (index.get(&from), index.get(&to)) {
            if a != b {
                edges.insert((a, b));
            }
        }
    }
    let layers = depths(picked.len(), &edges);
    let mut rows = vec![0usize; picked.len() + 1];
    let nodes = picked
        .iter()
        .zip(&layers)
        .map(|(&(id, class), &layer)| {
            let s = &ir.stmts[id];
            let label = match &s.object {
                Some(o) => format!("{} {}", s.kind, o.display()),
                None => s.kind.clone(),
            };
            let f = &files[s.file];
            let mut title = format!("{}:{}", f.name, f.line_col(s.span.start).0);
            if let Some(why) = s.unsupported.as_deref().and_then(|u| u.lines().next()) {
                title.push_str(" — ");
                title.push_str(why);
            } else if !s.codes.is_empty() {
                title.push_str(&format!(" — rewritten by {}", s.codes.join(", ")));
            }
            let row = rows[layer];
            rows[layer] += 1;
            Node { id, class, label, title, layer, row }
        })
        .collect();
    Layout { nodes, edges: edges.into_iter().collect(), omitted }
}

/// Each node's depth: 0 without a drawn predecessor, else one more than its deepest one. Nodes
/// on a cycle (order reports those as E101) go one layer past everything else.
fn depths(n: usize, edges: &BTreeSet<(usize, usize)>) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in edges {
        indegree[b] += 1;
        out[a].push(b);
    }
    let mut depth = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut placed = vec![false; n];
    while let Some(i) = ready.pop() {
        placed[i] = true;
        for &j in &out[i] {
            depth[j] = depth[j].max(depth[i] + 1);
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.push(j);
            }
        }
    }
    let past = depth.iter().copied().max().unwrap_or(0) + 1;
    for i in (0..n).filter(|&i| !placed[i]) {
        depth[i] = past;
    }
    depth
}

fn cut(label: &str) -> String {
    match label.char_indices().nth(LABEL_CHARS - 1) {
        Some((at, _)) => format!("{}…", &label[..at]),
        None => label.to_string(),
    }
}

fn x(layer: usize) -> usize {
    MARGIN + layer * (NODE_W + GAP_X)
}

fn y(row: usize) -> usize {
    MARGIN + row * (NODE_H + GAP_Y)
}

/// The drawing as one `<svg>` element (styled by report.html's stylesheet).
pub fn write_svg(w: &mut dyn Write, l: &Layout) -> io::Result<()> {
    let layers = l.nodes.iter().map(|n| n.layer + 1).max().unwrap_or(0);
    let rows = (0..layers).map(|k| l.nodes.iter().filter(|n| n.layer == k).count()).max().unwrap_or(0);
    let width = x(layers).saturating_sub(GAP_X) + MARGIN;
    let height = y(rows).saturating_sub(GAP_Y) + MARGIN;
    writeln!(
        w,
        r#"<svg id="graph-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="dependency graph of the statements moved to unsupported.sql or rewritten">"#
    )?;
    writeln!(
        w,
        r#"<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>"#
    )?;
    for &(a, b) in &l.edges {
        let (from, to) = (&l.nodes[a], &l.nodes[b]);
        let (x1, y1) = (x(from.layer) + NODE_W, y(from.row) + NODE_H / 2);
        let (x2, y2) = (x(to.layer), y(to.row) + NODE_H / 2);
        let bend = GAP_X / 2;
        writeln!(
            w,
            r#"<path class="edge" data-from="{}" data-to="{}" d="M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}" marker-end="url(#arrow)"/>"#,
            from.id,
            to.id,
            x1 + bend,
            x2.saturating_sub(bend),
        )?;
    }
    for n in &l.nodes {
        let (nx, ny) = (x(n.layer), y(n.row));
        writeln!(
            w,
            r#"<g class="node {}" data-id="{}"><title>{}</title><rect x="{nx}" y="{ny}" width="{NODE_W}" height="{NODE_H}" rx="5"/><text x="{}" y="{}">{}</text></g>"#,
            n.class.as_str(),
            n.id,
            Esc(&format!("{}\n{}", n.label, n.title)),
            nx + 8,
            ny + NODE_H / 2 + 4,
            Esc(&cut(&n.label)),
        )?;
    }
    writeln!(w, "</svg>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_follows_the_longest_chain_and_cycles_go_last() {
        let edges: BTreeSet<(usize, usize)> = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 3)].into_iter().collect();
        assert_eq!(depths(6, &edges), [0, 1, 2, 3, 3, 0]);
    }

    #[test]
    fn long_labels_are_cut() {
        assert_eq!(cut("short"), "short");
        let long = "create_materialized_view public.a_rather_long_name_indeed";
        assert_eq!(cut(long).chars().count(), LABEL_CHARS);
        assert!(cut(long).ends_with('…'));
    }
}
