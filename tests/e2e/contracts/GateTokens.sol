// SPDX-License-Identifier: MIT
// Test tokens for gated playback: an ERC-721 and an ERC-1155 anyone can mint.
pragma solidity ^0.8.20;

import "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

contract GatePass is ERC721 {
    constructor() ERC721("GatePass", "GATE") {}
    function mint(address to, uint256 id) external { _mint(to, id); }
}

contract GateBadge is ERC1155 {
    constructor() ERC1155("") {}
    function mint(address to, uint256 id, uint256 amount) external { _mint(to, id, amount, ""); }
}

// An EIP-1271 contract wallet: signatures of its owner count as its own.
contract OwnedWallet {
    address public owner;
    constructor(address o) { owner = o; }
    function isValidSignature(bytes32 hash, bytes memory signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err) = ECDSA.tryRecover(hash, signature);
        return (err == ECDSA.RecoverError.NoError && signer == owner) ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
