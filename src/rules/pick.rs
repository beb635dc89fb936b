//! One field of a `Serialize` struct as a JSON value, without serialising the other fields.
//!
//! Rules read a few fields of large views (a table with its columns); serialising whole views
//! for every statement and rule cost most of a compile. The picker is a serde `Serializer` that
//! accepts a struct, skips every field but the wanted one, and serialises only that one.

use serde::ser::{self, Impossible, Serialize};
use serde_json::Value;

/// Field `name` of `v`, serialised (`None` when `v` has no such field or is not a struct).
pub fn field<T: Serialize + ?Sized>(v: &T, name: &str) -> Option<Value> {
    v.serialize(Picker { name }).ok().flatten()
}

#[derive(Debug)]
struct NotAStruct;

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a struct")
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAStruct
    }
}

struct Picker<'n> {
    name: &'n str,
}

struct PickStruct<'n> {
    name: &'n str,
    found: Option<Value>,
}

impl ser::SerializeStruct for PickStruct<'_> {
    type Ok = Option<Value>;
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), NotAStruct> {
        if self.found.is_none() && key == self.name {
            self.found = Some(serde_json::to_value(value).map_err(|_| NotAStruct)?);
        }
        Ok(())
    }

    fn end(self) -> Result<Option<Value>, NotAStruct> {
        Ok(self.found)
    }
}

/// Every serializer method but `serialize_struct` answers "not a struct".
macro_rules! not_a_struct {
    ($($name:ident($($arg:ty),*);)*) => {
        $(fn $name(self, $(_: $arg),*) -> Result<Option<Value>, NotAStruct> { Err(NotAStruct) })*
    };
}

impl<'n> ser::Serializer for Picker<'n> {
    type Ok = Option<Value>;
    type Error = NotAStruct;
    type SerializeSeq = Impossible<Option<Value>, NotAStruct>;
    type SerializeTuple = Impossible<Option<Value>, NotAStruct>;
    type SerializeTupleStruct = Impossible<Option<Value>, NotAStruct>;
    type SerializeTupleVariant = Impossible<Option<Value>, NotAStruct>;
    type SerializeMap = Impossible<Option<Value>, NotAStruct>;
    type SerializeStruct = PickStruct<'n>;
    type SerializeStructVariant = Impossible<Option<Value>, NotAStruct>;

    not_a_struct! {
        serialize_bool(bool);
        serialize_i8(i8);
        serialize_i16(i16);
        serialize_i32(i32);
        serialize_i64(i64);
        serialize_u8(u8);
        serialize_u16(u16);
        serialize_u32(u32);
        serialize_u64(u64);
        serialize_f32(f32);
        serialize_f64(f64);
        serialize_char(char);
        serialize_str(&str);
        serialize_bytes(&[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Option<Value>, NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Option<Value>, NotAStruct> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Option<Value>, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotAStruct> {
        Ok(PickStruct { name: self.name, found: None })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAStruct> {
        Err(NotAStruct)
    }
}

#[cfg(test)]
mod tests {
    use super::field;
    use crate::ir::{ColumnView, TableView};
    use serde_json::json;

    #[test]
    fn picks_one_field_as_serialised() {
        let c = ColumnView { name: "id".into(), base_type: "bigint".into(), ..ColumnView::default() };
        assert_eq!(field(&c, "name"), Some(json!("id")));
        assert_eq!(field(&c, "base_type"), Some(json!("bigint")));
        assert_eq!(field(&c, "no_such_field"), None);
        let t = TableView { columns: vec![c.clone()], ..TableView::default() };
        assert_eq!(field(&t, "columns"), Some(serde_json::to_value(vec![c]).unwrap()));
        // Every field the whole serialisation has, the picker finds with the same value.
        let whole = serde_json::to_value(&t).unwrap();
        for (k, v) in whole.as_object().unwrap() {
            assert_eq!(field(&t, k).as_ref(), Some(v), "{k}");
        }
        assert_eq!(field(&"text", "x"), None);
    }
}
