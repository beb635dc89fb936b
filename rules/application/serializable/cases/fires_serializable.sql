SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
ALTER DATABASE app SET default_transaction_isolation TO 'serializable';
