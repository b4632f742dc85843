// SPDX-License-Identifier: MIT
// Test tokens for gated playback: an ERC-721 and an ERC-1155 anyone can mint.
pragma solidity ^0.8.20;

import "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

contract GatePass is ERC721 {
    constructor() ERC721("GatePass", "GATE") {}
    function mint(address to, uint256 id) external { _mint(to, id); }
}

contract GateBadge is ERC1155 {
    constructor() ERC1155("") {}
    function mint(address to, uint256 id, uint256 amount) external { _mint(to, id, amount, ""); }
}
