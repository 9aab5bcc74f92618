//! The gateway configuration from a JSON object whose keys are the HTTP
//! gateway's environment variable names (`SESSIONS_PATH`,
//! `WA_WEBSOCKET_URL`, `BASE_WEBHOOK_URL`, ...) plus `"demo": true`.

use clap::{CommandFactory, Parser};
use serde_json::Value;
use wa_http::Config;

use crate::status::Error;

/// Parses `json` (null or empty: defaults). Keys not given fall back to the
/// process environment, like the HTTP gateway; `API_KEY` is ignored (the
/// library serves no HTTP, calls are in-process).
pub(crate) fn parse(json: Option<&str>) -> Result<Config, Error> {
    let json = json.map(str::trim).filter(|s| !s.is_empty());
    let value: Value = match json {
        Some(s) => serde_json::from_str(s)
            .map_err(|e| Error::Invalid(format!("config is not valid JSON: {e}")))?,
        None => Value::Object(serde_json::Map::new()),
    };
    let Value::Object(map) = value else {
        return Err(Error::Invalid("config must be a JSON object".into()));
    };
    let command = Config::command();
    let mut args = vec!["wa-ffi".to_owned()];
    for (key, v) in &map {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Null => continue,
            _ => {
                return Err(Error::Invalid(format!(
                    "config.{key} must be a string, number or boolean"
                )));
            }
        };
        if key == "demo" {
            if text == "true" {
                args.push("--demo".to_owned());
            }
            continue;
        }
        let arg = command
            .get_arguments()
            .find(|a| a.get_env().is_some_and(|e| e == key.as_str()))
            .and_then(|a| a.get_long())
            .ok_or_else(|| Error::Invalid(format!("config.{key}: unknown setting")))?;
        args.push(format!("--{arg}={text}"));
    }
    let mut config =
        Config::try_parse_from(args).map_err(|e| Error::Invalid(format!("config: {e}")))?;
    config.api_key = None;
    Ok(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn env_names_map_to_settings() {
        let c = parse(Some(
            r#"{"SESSIONS_PATH": "/tmp/x", "MAX_ATTACHMENT_SIZE": 5, "SET_MESSAGES_AS_SEEN": true,
                "WA_WEBSOCKET_URL": "ws://127.0.0.1:1/ws", "API_KEY": "k", "demo": true}"#,
        ))
        .unwrap();
        assert_eq!(c.sessions_path, std::path::PathBuf::from("/tmp/x"));
        assert_eq!(c.max_attachment_size, 5);
        assert!(c.set_messages_as_seen);
        assert!(c.demo);
        assert_eq!(c.ws_url.as_deref(), Some("ws://127.0.0.1:1/ws"));
        assert_eq!(c.api_key, None);
    }

    #[test]
    fn bad_configs_name_the_problem() {
        let e = parse(Some(r#"{"NOPE": 1}"#)).unwrap_err().to_string();
        assert!(e.contains("NOPE"), "{e}");
        let e = parse(Some(r#"{"MAX_ATTACHMENT_SIZE": "many"}"#)).unwrap_err();
        assert!(matches!(e, Error::Invalid(_)), "{e}");
        assert!(parse(Some("[1]")).is_err());
        assert!(parse(Some("{")).is_err());
        assert!(parse(Some(r#"{"PORT": [1]}"#)).is_err());
        assert!(parse(None).is_ok());
    }
}
