(function(){
  var head=document.querySelector('header.top');
  function pad(){document.documentElement.style.setProperty('--head',head.offsetHeight+'px');}
  pad(); window.addEventListener('resize',pad);
  var q=document.getElementById('filter'), only=document.getElementById('only-diff');
  var rows=Array.prototype.slice.call(document.querySelectorAll('#grid tbody tr'));
  var shown=document.getElementById('shown'), picked={};
  function run(){
    var t=q.value.trim().toLowerCase(), keys=Object.keys(picked), n=0;
    for(var i=0;i<rows.length;i++){
      var r=rows[i], ok=(!t||r.getAttribute('data-key').indexOf(t)>=0)
        &&(!only.checked||r.getAttribute('data-diff')==='1');
      if(ok&&keys.length){ok=false;for(var k=0;k<keys.length;k++){
        if(r.getAttribute('data-states').indexOf(' '+keys[k]+' ')>=0){ok=true;break;}}}
      r.hidden=!ok; if(ok){n++;}
    }
    shown.textContent=String(n);
  }
  q.addEventListener('input',run); only.addEventListener('change',run);
  var buttons=document.querySelectorAll('[data-state]');
  for(var b=0;b<buttons.length;b++){buttons[b].addEventListener('click',function(){
    var s=this.getAttribute('data-state');
    if(picked[s]){delete picked[s];this.classList.remove('on');}
    else{picked[s]=1;this.classList.add('on');}
    run();});}
  var open=null;
  function show(d){
    if(open){open.classList.remove('open');}
    open=d;
    if(d){d.classList.add('open');d.setAttribute('tabindex','-1');d.focus();}
  }
  document.addEventListener('click',function(e){
    var a=e.target.closest&&e.target.closest('a'); if(!a){return;}
    var h=a.getAttribute('href')||'';
    if(h.indexOf('#d-')===0){e.preventDefault();show(document.getElementById(h.slice(1)));}
    else if(a.className==='close'){e.preventDefault();show(null);}
  });
  document.addEventListener('keydown',function(e){
    if(e.key==='Escape'){show(null);}
    if(e.key==='/'&&document.activeElement!==q){e.preventDefault();q.focus();}});
})();
