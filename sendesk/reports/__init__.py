"""Documents SENDesk writes: register exports, passports, the EHC request pack."""
