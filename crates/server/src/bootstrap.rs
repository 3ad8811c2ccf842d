//! First-start bootstrap of the operator credential.
//!
//! The token is written to `DATA/operator.token` *before* its hash is registered, so a crash in
//! between leaves a file whose token is registered at the next start rather than a registered
//! credential nobody knows. An existing file is never overwritten. The token itself is never
//! printed or logged (terminals and log collectors keep what they see): only the file's path.
//! A configured token must carry at least [`token::ENTROPY_BITS_MIN`] bits ([`token::check_strength`]).

use hub::{Action, Command, Principal, Success};

use crate::ServerError;
use crate::state::{AppState, hub_error};
use crate::token;

/// File name of the generated operator token inside the data directory.
pub const OPERATOR_TOKEN_FILE: &str = "operator.token";

/// Registers the operator credential if this data directory needs one; returns the token when
/// this start registered it.
pub async fn operator(state: &AppState) -> Result<Option<String>, ServerError> {
    let path = state.config.data_dir.join(OPERATOR_TOKEN_FILE);
    let token = match (&state.config.operator_token, path.exists()) {
        (Some(configured), _) => configured.trim().to_owned(),
        (None, true) => std::fs::read_to_string(&path)
            .map_err(|source| ServerError::Io {
                context: format!("reading {}", path.display()),
                source,
            })?
            .trim()
            .to_owned(),
        (None, false) => {
            let has_operator = state
                .read(|hub| {
                    hub.credentials()
                        .iter()
                        .any(|c| c.principal == Principal::Operator && c.revoked_at.is_none())
                })
                .await
                .map_err(|error| ServerError::Bootstrap(error.to_string()))?;
            if has_operator {
                return Ok(None);
            }
            let token = token::generate();
            token::write_private(&path, &token).map_err(|source| ServerError::Io {
                context: format!("writing {}", path.display()),
                source,
            })?;
            println!(
                "operator token written to {} (readable by this user only)",
                path.display()
            );
            token
        }
    };
    token::check_strength(&token).map_err(ServerError::Bootstrap)?;
    let hash = token::hash(&token);
    let known = state
        .principal(hash)
        .await
        .map_err(|error| ServerError::Bootstrap(error.to_string()))?;
    match known {
        Some(Principal::Operator) => return Ok(None),
        Some(other) => {
            return Err(ServerError::Bootstrap(format!(
                "the operator token is registered for {other:?}, not the operator"
            )));
        }
        None => {}
    }
    let action = Action::RegisterCredential {
        token_hash: hash,
        principal: Principal::Operator,
    };
    let outcome = state
        .submit(Command::new(Principal::Operator, action))
        .await
        .map_err(|error| ServerError::Bootstrap(error.to_string()))?;
    match outcome.map_err(hub_error) {
        Ok(Success::CredentialRegistered { credential }) => {
            tracing::info!(credential = credential.0, "operator credential registered");
            Ok(Some(token))
        }
        Ok(other) => Err(ServerError::Bootstrap(format!(
            "unexpected outcome {other:?}"
        ))),
        Err(error) => Err(ServerError::Bootstrap(error.to_string())),
    }
}
