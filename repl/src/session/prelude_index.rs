//! What the prelude's own source says of its names — their signatures,
//! their docs, the methods of its types — for Tab and Shift-Tab in a build
//! without rust-analyzer (the default: rust-analyzer is half of a fresh
//! build's compile time).
//!
//! The source is built into the binary (`build.rs` includes every file of
//! `prelude/src`) and read with the parser the session already uses for
//! cells, once, the first time it is asked (about 30 ms). It knows what the
//! prelude declares and re-exports (`pub use`, globs included), the inherent
//! methods of its types, and nothing of std or other crates: for those the
//! learner builds with `--features analyzer`.
//!
//! ```
//! use multitask_repl::session::prelude_index::PreludeIndex;
//! let index = PreludeIndex::get();
//! let item = index.resolve(&["jumping_range"]).unwrap();
//! assert_eq!(item.signature, "pub fn jumping_range(n: i64) -> Generator<i64, i64>");
//! assert!(index.methods_of("multitask::generator::Generator<i64, i64>").iter().any(|m| m.name == "send"));
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use ra_ap_syntax::ast::{self, HasAttrs, HasDocComments, HasModuleItem, HasName, HasVisibility};
use ra_ap_syntax::{AstNode, Edition, NodeOrToken, SyntaxKind, SyntaxNode};

/// The prelude's source files: the path under `prelude/src` and the text.
const SOURCES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/prelude_sources.rs"));

/// What a name is, in Jupyter's words (the icon a front end draws).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A function, method or macro.
    Function,
    /// A struct, enum, trait or type alias.
    Class,
    /// A module.
    Module,
    /// A constant or static.
    Instance,
}

impl Kind {
    /// Jupyter's word for it (`function`, `class`, `module`, `instance`).
    pub fn jupyter(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Class => "class",
            Kind::Module => "module",
            Kind::Instance => "instance",
        }
    }
}

/// One public item of the prelude.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Its name (`jumping_range`, `send`, `spawn`).
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Its declaration up to its body, on one line
    /// (`pub fn jumping_range(n: i64) -> Generator<i64, i64>`).
    pub signature: String,
    /// Its doc comment, as markdown.
    pub docs: String,
    /// Where it is declared (`multitask::tutorial`; for a method, its type:
    /// `multitask::generator::Generator`).
    pub home: String,
    /// Whether it is a method called on a value (`&self`, `self`, …).
    pub takes_self: bool,
    /// Whether it is a function that takes arguments besides `self`.
    pub takes_arguments: bool,
    /// For a module, its path from the crate root.
    module: Option<Vec<String>>,
}

impl Item {
    /// What Tab inserts: `jumping_range(`, `next()`, `spawn!()`,
    /// `threading::`, `Generator`.
    pub fn completion_text(&self) -> String {
        match self.kind {
            Kind::Module => format!("{}::", self.name),
            Kind::Function if self.signature.starts_with("macro_rules!") => {
                format!("{}!()", self.name)
            }
            Kind::Function if self.takes_arguments => format!("{}(", self.name),
            Kind::Function => format!("{}()", self.name),
            _ => self.name.clone(),
        }
    }
}

/// A name a module makes public.
#[derive(Debug, Clone)]
enum Entry {
    /// Declared there.
    Item(Item),
    /// `pub use` of a path (from the crate root; `None` outside the crate).
    Reexport(Option<Vec<String>>),
}

/// One module: its docs, its names, its `pub use …::*`.
#[derive(Debug, Default)]
struct Module {
    docs: String,
    names: BTreeMap<String, Vec<Entry>>,
    globs: Vec<Vec<String>>,
}

/// The prelude's public names, modules and methods.
#[derive(Debug, Default)]
pub struct PreludeIndex {
    /// By module path from the crate root (`[]` is the crate).
    modules: BTreeMap<Vec<String>, Module>,
    /// Inherent methods and associated functions, by their type's name.
    methods: BTreeMap<String, Vec<Item>>,
}

impl PreludeIndex {
    /// The index, read from the prelude's source the first time.
    pub fn get() -> &'static PreludeIndex {
        static INDEX: OnceLock<PreludeIndex> = OnceLock::new();
        INDEX.get_or_init(|| PreludeIndex::read(SOURCES))
    }

    /// Reads `sources` (path under `src/`, text), starting from `lib.rs`.
    fn read(sources: &[(&str, &str)]) -> PreludeIndex {
        let mut index = PreludeIndex::default();
        let text = |path: &str| sources.iter().find(|(p, _)| *p == path).map(|(_, t)| *t);
        if let Some(lib) = text("lib.rs") {
            let file = ast::SourceFile::parse(lib, Edition::Edition2024).tree();
            let docs = doc_text(file.doc_comments());
            index.read_items(&file, docs, Vec::new(), "", &text);
        }
        index
    }

    /// The items of the module at `path`; the files of its child modules
    /// are under `folder` (`""` for the crate root, `threading/` for
    /// `threading/mod.rs` and for `threading.rs`).
    fn read_items<'s>(
        &mut self,
        items: &impl HasModuleItem,
        docs: String,
        path: Vec<String>,
        folder: &str,
        text: &dyn Fn(&str) -> Option<&'s str>,
    ) {
        let home = home_of(&path);
        // The names declared here first: a `use` may name one declared
        // below it (a child module, an enum whose variants it brings in).
        let local: Vec<String> = items
            .items()
            .filter_map(|item| ast::AnyHasName::cast(item.syntax().clone())?.name())
            .map(|n| n.text().to_string())
            .collect();
        let mut module = Module {
            docs,
            ..Module::default()
        };
        for item in items.items() {
            if is_hidden(&item) {
                continue;
            }
            match &item {
                ast::Item::Use(use_item) if is_pub(use_item) => {
                    if let Some(tree) = use_item.use_tree() {
                        let resolve = |segments: &[String]| absolute(segments, &path, &local);
                        let mut found = Vec::new();
                        use_tree_names(&tree, Vec::new(), &mut found);
                        for (name, target) in found {
                            match name {
                                Some(name) => module
                                    .names
                                    .entry(name)
                                    .or_default()
                                    .push(Entry::Reexport(resolve(&target))),
                                None => module.globs.extend(resolve(&target)),
                            }
                        }
                    }
                }
                ast::Item::Module(m) => {
                    let Some(name) = m.name().map(|n| n.text().to_string()) else {
                        continue;
                    };
                    let mut child = path.clone();
                    child.push(name.clone());
                    if let Some(inline) = m.item_list() {
                        let docs = doc_text(m.doc_comments());
                        self.read_items(&inline, docs, child.clone(), folder, text);
                    } else {
                        let (file, child_folder) = [
                            (format!("{folder}{name}.rs"), format!("{folder}{name}/")),
                            (format!("{folder}{name}/mod.rs"), format!("{folder}{name}/")),
                        ]
                        .into_iter()
                        .find(|(file, _)| text(file).is_some())
                        .unwrap_or_default();
                        if let Some(source) = text(&file) {
                            let parsed =
                                ast::SourceFile::parse(source, Edition::Edition2024).tree();
                            let mut docs = doc_text(m.doc_comments());
                            if docs.is_empty() {
                                docs = doc_text(parsed.doc_comments());
                            }
                            self.read_items(&parsed, docs, child.clone(), &child_folder, text);
                        }
                    }
                    if is_pub(m) {
                        let docs = self.modules.get(&child).map(|c| c.docs.clone());
                        let mut item = declared(m.syntax(), &name, Kind::Module, &home);
                        item.docs = docs.unwrap_or_default();
                        item.module = Some(child);
                        module
                            .names
                            .entry(name)
                            .or_default()
                            .push(Entry::Item(item));
                    }
                }
                ast::Item::Impl(imp) if imp.trait_().is_none() => self.read_impl(imp, &home),
                ast::Item::Enum(e) if is_pub(e) => {
                    let Some(name) = e.name().map(|n| n.text().to_string()) else {
                        continue;
                    };
                    // Its variants, which follow `GenState::` as a type's
                    // functions do.
                    let variants = e.variant_list().into_iter().flat_map(|l| l.variants());
                    for variant in variants {
                        if let Some(v) = variant.name() {
                            let home = format!("{home}::{name}");
                            let item = declared(variant.syntax(), v.text(), Kind::Instance, &home);
                            self.methods.entry(name.clone()).or_default().push(item);
                        }
                    }
                    let item = declared(e.syntax(), &name, Kind::Class, &home);
                    module
                        .names
                        .entry(name)
                        .or_default()
                        .push(Entry::Item(item));
                }
                ast::Item::MacroRules(mac) if exported(&item) => {
                    // `#[macro_export]`: a name of the crate root, wherever declared.
                    if let Some(name) = mac.name() {
                        let name = name.text().to_string();
                        let item = declared(mac.syntax(), &name, Kind::Function, "multitask");
                        let root = self.modules.entry(Vec::new()).or_default();
                        root.names.entry(name).or_default().push(Entry::Item(item));
                    }
                }
                _ => {
                    if let Some((name, kind)) = public_item(&item) {
                        let item = declared(item.syntax(), &name, kind, &home);
                        module
                            .names
                            .entry(name)
                            .or_default()
                            .push(Entry::Item(item));
                    }
                }
            }
        }
        let slot = self.modules.entry(path).or_default();
        slot.docs = module.docs;
        slot.globs.extend(module.globs);
        for (name, entries) in module.names {
            slot.names.entry(name).or_default().extend(entries);
        }
    }

    /// The public functions of an `impl Type { … }` in the module `home`.
    fn read_impl(&mut self, imp: &ast::Impl, home: &str) {
        let Some(type_name) = imp
            .self_ty()
            .and_then(|t| type_name(&t.syntax().text().to_string()))
        else {
            return;
        };
        let Some(list) = imp.assoc_item_list() else {
            return;
        };
        let home = format!("{home}::{type_name}");
        for assoc in list.assoc_items() {
            let ast::AssocItem::Fn(function) = assoc else {
                continue;
            };
            if !is_pub(&function) || is_hidden_attrs(function.attrs()) {
                continue;
            }
            let Some(name) = function.name() else {
                continue;
            };
            let item = declared(function.syntax(), name.text(), Kind::Function, &home);
            self.methods
                .entry(type_name.clone())
                .or_default()
                .push(item);
        }
    }

    /// The item a path names, as a learner with `use multitask::prelude::*`
    /// writes it: `["jumping_range"]`, `["threading", "Lock"]`,
    /// `["Generator", "send"]` (a type's function).
    pub fn resolve(&self, path: &[&str]) -> Option<Item> {
        let (mut scope, path) = start(path);
        let (last, before) = path.split_last()?;
        for segment in before {
            scope = self.enter(&scope, segment)?;
        }
        match scope {
            Scope::Module(module) => self.lookup(&module, last, 0),
            Scope::Type(type_name) => self
                .methods
                .get(&type_name)?
                .iter()
                .find(|m| m.name == *last)
                .cloned(),
        }
    }

    /// What follows `path::` (`threading::` gives the module's names,
    /// `Generator::` the type's functions), sorted by name.
    pub fn members(&self, path: &[&str]) -> Vec<Item> {
        let (mut scope, path) = start(path);
        for segment in path {
            match self.enter(&scope, segment) {
                Some(next) => scope = next,
                None => return Vec::new(),
            }
        }
        match scope {
            Scope::Module(module) => {
                let mut names = Vec::new();
                self.names_of(&module, &mut names, 0);
                names.sort();
                names.dedup();
                names
                    .iter()
                    .filter_map(|name| self.lookup(&module, name, 0))
                    .collect()
            }
            Scope::Type(type_name) => self.methods.get(&type_name).cloned().unwrap_or_default(),
        }
    }

    /// The methods a value of `type_name` has (`&Generator<i64, i64>`,
    /// `multitask::threading::Thread<()>`: rustc's names), sorted by name.
    pub fn methods_of(&self, type_text: &str) -> Vec<Item> {
        let Some(name) = type_name(type_text) else {
            return Vec::new();
        };
        let mut methods: Vec<Item> = self
            .methods
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|m| m.takes_self)
            .cloned()
            .collect();
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        methods
    }

    /// The scope `segment` names inside `scope`: a module or a type.
    fn enter(&self, scope: &Scope, segment: &str) -> Option<Scope> {
        let Scope::Module(module) = scope else {
            return None;
        };
        let item = self.lookup(module, segment, 0)?;
        match (item.kind, item.module) {
            (Kind::Module, Some(path)) => Some(Scope::Module(path)),
            (Kind::Class, _) => Some(Scope::Type(item.name)),
            _ => None,
        }
    }

    /// `name` in the module at `module`: declared there, re-exported, or
    /// brought in by a glob. `depth` stops a cycle of re-exports.
    fn lookup(&self, module: &[String], name: &str, depth: usize) -> Option<Item> {
        if depth > 16 {
            return None;
        }
        let found = self.modules.get(module)?;
        for entry in found.names.get(name).into_iter().flatten() {
            match entry {
                Entry::Item(item) => return Some(item.clone()),
                Entry::Reexport(Some(target)) => {
                    let (last, at) = target.split_last()?;
                    let found = match self.module_path(at, depth + 1) {
                        Some(home) => self.lookup(&home, last, depth + 1),
                        // An enum's variant (`pub use GenState::Closed as …`).
                        None => at
                            .last()
                            .and_then(|ty| self.methods.get(ty))
                            .and_then(|members| members.iter().find(|m| m.name == *last))
                            .cloned(),
                    };
                    if let Some(item) = found {
                        return Some(Item {
                            name: name.to_string(),
                            ..item
                        });
                    }
                }
                Entry::Reexport(None) => {}
            }
        }
        found
            .globs
            .iter()
            .find_map(|glob| self.lookup(&self.module_path(glob, depth + 1)?, name, depth + 1))
    }

    /// The module a path from the crate root names, following re-exports
    /// of modules (`pub use crate::greenlet::{self, …}`).
    fn module_path(&self, path: &[String], depth: usize) -> Option<Vec<String>> {
        if self.modules.contains_key(path) {
            return Some(path.to_vec());
        }
        let (last, at) = path.split_last()?;
        let home = self.module_path(at, depth + 1)?;
        self.lookup(&home, last, depth + 1)?.module
    }

    /// Every name the module at `module` makes public.
    fn names_of(&self, module: &[String], names: &mut Vec<String>, depth: usize) {
        let Some(found) = self.modules.get(module) else {
            return;
        };
        if depth > 16 {
            return;
        }
        names.extend(found.names.keys().cloned());
        for glob in &found.globs {
            if let Some(path) = self.module_path(glob, depth + 1) {
                self.names_of(&path, names, depth + 1);
            }
        }
    }
}

/// Where a path starts: the crate's root for `multitask::…` (or
/// `crate::…`), else the names `use multitask::prelude::*` brings in.
fn start<'p, 'a>(path: &'p [&'a str]) -> (Scope, &'p [&'a str]) {
    match path.split_first() {
        Some((&("multitask" | "crate"), rest)) => (Scope::Module(Vec::new()), rest),
        _ => (Scope::Module(vec!["prelude".to_string()]), path),
    }
}

/// Where a path leads: a module, or a type (whose functions follow `::`).
enum Scope {
    Module(Vec<String>),
    Type(String),
}

/// `multitask::threading` for `["threading"]`.
fn home_of(path: &[String]) -> String {
    std::iter::once("multitask")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("::")
}

/// The name of a type as written or as rustc names it: `&mut Generator<i64>`
/// and `multitask::generator::Generator<i64, i64>` are both `Generator`.
pub fn type_name(text: &str) -> Option<String> {
    let mut text = text.trim();
    loop {
        let before = text;
        text = text.trim_start_matches('&').trim_start();
        text = text.strip_prefix("mut ").unwrap_or(text).trim_start();
        if text == before {
            break;
        }
    }
    let path = text.split('<').next()?.trim();
    let name = path.rsplit("::").next()?.trim();
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// A `use` path, from the crate root: `crate::`, `self::`, `super::` and a
/// name declared in the module it is in (`sync::Lock`, `GenState::Closed`);
/// `None` for another crate's (`::tokio`).
fn absolute(segments: &[String], here: &[String], declared: &[String]) -> Option<Vec<String>> {
    let (first, rest) = segments.split_first()?;
    let mut path = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.to_vec(),
        "super" => here[..here.len().saturating_sub(1)].to_vec(),
        name if declared.iter().any(|c| c == name) => {
            let mut path = here.to_vec();
            path.push(name.to_string());
            path
        }
        _ => return None,
    };
    for segment in rest {
        match segment.as_str() {
            "super" => {
                path.pop();
            }
            "self" => {}
            name => path.push(name.to_string()),
        }
    }
    Some(path)
}

/// The names a use tree brings in, each with the path it names (`None` as
/// the name for a glob, whose path is a module). `self` in a list names the
/// module the list is in.
fn use_tree_names(
    tree: &ast::UseTree,
    prefix: Vec<String>,
    found: &mut Vec<(Option<String>, Vec<String>)>,
) {
    let mut path = prefix;
    if let Some(p) = tree.path() {
        let text = p.syntax().text().to_string();
        let leading = text.starts_with("::");
        path.extend(
            text.split("::")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        if leading {
            // `::tokio`: another crate.
            path.insert(0, "::".to_string());
        }
    }
    if let Some(list) = tree.use_tree_list() {
        for child in list.use_trees() {
            use_tree_names(&child, path.clone(), found);
        }
        return;
    }
    if tree.star_token().is_some() {
        found.push((None, path));
        return;
    }
    if path.last().is_some_and(|s| s == "self") {
        path.pop();
    }
    let renamed = tree
        .rename()
        .and_then(|r| r.name())
        .map(|n| n.text().to_string());
    if let Some(name) = renamed.or_else(|| path.last().cloned()) {
        found.push((Some(name), path));
    }
}

/// An item's name and kind, when it is `pub` (not `pub(crate)`).
fn public_item(item: &ast::Item) -> Option<(String, Kind)> {
    let (name, kind, public) = match item {
        ast::Item::Fn(f) => (f.name(), Kind::Function, is_pub(f)),
        ast::Item::Struct(s) => (s.name(), Kind::Class, is_pub(s)),
        ast::Item::Enum(e) => (e.name(), Kind::Class, is_pub(e)),
        ast::Item::Trait(t) => (t.name(), Kind::Class, is_pub(t)),
        ast::Item::TypeAlias(t) => (t.name(), Kind::Class, is_pub(t)),
        ast::Item::Union(u) => (u.name(), Kind::Class, is_pub(u)),
        ast::Item::Const(c) => (c.name(), Kind::Instance, is_pub(c)),
        ast::Item::Static(s) => (s.name(), Kind::Instance, is_pub(s)),
        _ => return None,
    };
    let name = name?.text().to_string();
    public.then_some((name, kind))
}

/// `pub`, exactly: what a learner's code can name.
fn is_pub(node: &impl HasVisibility) -> bool {
    node.visibility()
        .is_some_and(|v| v.syntax().text() == "pub")
}

/// `#[doc(hidden)]` or `#[cfg(test)]`: not for the learner.
fn is_hidden(item: &ast::Item) -> bool {
    is_hidden_attrs(item.attrs())
}

fn is_hidden_attrs(mut attrs: impl Iterator<Item = ast::Attr>) -> bool {
    attrs.any(|attr| {
        let text = attr.syntax().text().to_string().replace(' ', "");
        text == "#[doc(hidden)]" || text == "#[cfg(test)]"
    })
}

/// `#[macro_export]`.
fn exported(item: &ast::Item) -> bool {
    item.attrs()
        .any(|attr| attr.syntax().text().to_string().replace(' ', "") == "#[macro_export]")
}

/// The item declared by `node`: its signature and docs.
fn declared(node: &SyntaxNode, name: &str, kind: Kind, home: &str) -> Item {
    let docs = ast::AnyHasDocComments::cast(node.clone())
        .map(|n| doc_text(n.doc_comments()))
        .unwrap_or_default();
    let (takes_self, takes_arguments) = ast::Fn::cast(node.clone())
        .and_then(|f| f.param_list())
        .map_or((false, false), |params| {
            (
                params.self_param().is_some(),
                params.params().next().is_some(),
            )
        });
    Item {
        name: name.to_string(),
        kind,
        signature: signature(node),
        docs,
        home: home.to_string(),
        takes_self,
        takes_arguments,
        module: None,
    }
}

/// An item's declaration without its docs, attributes and body, on one
/// line: `pub fn send(&self, value: S) -> Result<Y, GeneratorError<R>>`.
fn signature(node: &SyntaxNode) -> String {
    const BODIES: [SyntaxKind; 7] = [
        SyntaxKind::BLOCK_EXPR,
        SyntaxKind::RECORD_FIELD_LIST,
        SyntaxKind::VARIANT_LIST,
        SyntaxKind::ASSOC_ITEM_LIST,
        SyntaxKind::ITEM_LIST,
        SyntaxKind::TOKEN_TREE,
        SyntaxKind::SEMICOLON,
    ];
    let mut text = String::new();
    let mut started = false;
    for element in node.children_with_tokens() {
        let kind = element.kind();
        if !started
            && matches!(
                kind,
                SyntaxKind::COMMENT | SyntaxKind::WHITESPACE | SyntaxKind::ATTR
            )
        {
            continue;
        }
        if BODIES.contains(&kind) {
            break;
        }
        started = true;
        match element {
            NodeOrToken::Node(n) => text.push_str(&n.text().to_string()),
            NodeOrToken::Token(t) => text.push_str(t.text()),
        }
    }
    one_line(&text)
}

/// A declaration rustfmt spread over lines, on one: spaces collapsed, no
/// space inside brackets, no trailing comma.
fn one_line(text: &str) -> String {
    let mut line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for (from, to) in [
        ("( ", "("),
        (" )", ")"),
        (",)", ")"),
        ("< ", "<"),
        (" >", ">"),
        (",>", ">"),
    ] {
        while line.contains(from) {
            line = line.replace(from, to);
        }
    }
    line.trim().trim_end_matches(',').to_string()
}

/// Doc comments as markdown: each line without its `///` and the one space
/// after it.
fn doc_text(comments: ast::DocCommentIter) -> String {
    comments
        .filter_map(|c| c.doc_comment().map(|(text, _)| text.to_string()))
        .map(|line| line.strip_prefix(' ').map(str::to_string).unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preludes_names_have_signatures_and_docs() {
        let index = PreludeIndex::get();
        let jumping = index.resolve(&["jumping_range"]).expect("jumping_range");
        assert_eq!(jumping.kind, Kind::Function);
        assert_eq!(
            jumping.signature,
            "pub fn jumping_range(n: i64) -> Generator<i64, i64>"
        );
        assert_eq!(jumping.home, "multitask::tutorial");
        assert!(jumping.docs.contains("send"), "{}", jumping.docs);
        assert_eq!(jumping.completion_text(), "jumping_range(");
        let generator = index.resolve(&["Generator"]).expect("Generator");
        assert_eq!(generator.kind, Kind::Class);
        assert!(
            generator.signature.starts_with("pub struct Generator<"),
            "{}",
            generator.signature
        );
        let spawn = index.resolve(&["spawn"]).expect("spawn!");
        assert_eq!(spawn.completion_text(), "spawn!()");
        let threading = index.resolve(&["threading"]).expect("threading");
        assert_eq!(threading.completion_text(), "threading::");
        assert!(!threading.docs.is_empty());
    }

    #[test]
    fn every_name_of_the_prelude_is_found() {
        let index = PreludeIndex::get();
        for name in super::super::completion::prelude_completions().keys() {
            if name == "tokio" {
                // Another crate: rust-analyzer's (`--features analyzer`).
                assert!(index.resolve(&[name]).is_none());
                continue;
            }
            let item = index
                .resolve(&[name])
                .unwrap_or_else(|| panic!("{name} is not found in the prelude's source"));
            assert!(!item.docs.is_empty(), "{name} has no docs");
        }
    }

    #[test]
    fn paths_lead_into_modules_and_types() {
        let index = PreludeIndex::get();
        let lock = index
            .resolve(&["threading", "Lock"])
            .expect("threading::Lock");
        assert_eq!(lock.kind, Kind::Class);
        let names: Vec<String> = index
            .members(&["threading"])
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert!(names.contains(&"Lock".to_string()), "{names:?}");
        assert!(names.contains(&"Thread".to_string()), "{names:?}");
        let full = index.resolve(&["multitask", "threading", "Lock"]);
        assert_eq!(full, Some(lock));
        let new = index.resolve(&["Thread", "new"]);
        assert!(new.is_some_and(|n| n.signature.contains("fn new")));
    }

    #[test]
    fn a_values_methods_come_from_its_type() {
        let index = PreludeIndex::get();
        for type_text in [
            "Generator<i64, i64>",
            "multitask::generator::Generator<i64, i64>",
            "&mut Generator<u64>",
        ] {
            let methods = index.methods_of(type_text);
            let send = methods.iter().find(|m| m.name == "send").expect("send");
            assert_eq!(send.completion_text(), "send(");
            assert!(
                send.signature.starts_with("pub fn send(&self"),
                "{}",
                send.signature
            );
            let next = methods.iter().find(|m| m.name == "next").expect("next");
            assert_eq!(next.completion_text(), "next()");
        }
        assert!(index.methods_of("Vec<i32>").is_empty());
    }

    #[test]
    fn declarations_go_on_one_line() {
        assert_eq!(
            one_line("pub fn f(\n    a: i64,\n    b: Vec<\n        u8,\n    >,\n) -> u8"),
            "pub fn f(a: i64, b: Vec<u8>) -> u8"
        );
        assert_eq!(
            one_line("pub fn g<F>(f: F)\nwhere\n    F: Fn(),"),
            "pub fn g<F>(f: F) where F: Fn()"
        );
        assert_eq!(type_name("&mut a::b::Queue<T>"), Some("Queue".into()));
        assert_eq!(type_name("(i32, i32)"), None);
    }
}
